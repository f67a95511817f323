import * as assert from 'node:assert/strict';
import { isTerminal } from '../../src/common/model';

describe('run statuses', () => {
  it('treats only end states as terminal', () => {
    assert.equal(isTerminal('completed'), true);
    assert.equal(isTerminal('expired'), true);
    assert.equal(isTerminal('requires_action'), false);
    assert.equal(isTerminal('cancelling'), false);
  });
});
