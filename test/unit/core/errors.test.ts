import * as assert from 'node:assert/strict';
import { AssistantsError, asAssistantsError } from '../../../src/core/errors';

describe('asAssistantsError', () => {
  it('passes an AssistantsError through unchanged', () => {
    const original = new AssistantsError('auth', 'The API key was rejected.');
    assert.equal(asAssistantsError(original), original);
  });

  it('turns an abort into cancelled', () => {
    const abort = new Error('This operation was aborted');
    abort.name = 'AbortError';
    assert.equal(asAssistantsError(abort).kind, 'cancelled');
  });

  it('turns anything else into unexpected, keeping its message and the cause', () => {
    const thrown = new RangeError('index out of range');
    const mapped = asAssistantsError(thrown);
    assert.equal(mapped.kind, 'unexpected');
    assert.match(mapped.message, /index out of range/);
    assert.equal(mapped.options.cause, thrown);
    assert.match(asAssistantsError('a string').message, /a string/);
  });
});
