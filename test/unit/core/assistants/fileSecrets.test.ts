import * as assert from 'node:assert/strict';
import { namesCredential, secretReferences } from '../../../../src/core/assistants/fileSecrets';

describe('assistant files: secret references', () => {
  it('finds secret references, each name once, and the references that are not secret references', () => {
    assert.deepEqual(secretReferences('Bearer ${secret:a} ${secret:b} ${secret:a} ${x}'), { names: ['a', 'b'], invalid: ['${x}'] });
    assert.deepEqual(secretReferences('${env:HOME} ${secret:bad name} ${secret:}'), { names: [], invalid: ['${env:HOME}', '${secret:bad name}', '${secret:}'] });
    assert.deepEqual(secretReferences('no references'), { names: [], invalid: [] });
  });

  it('knows the header and variable names that carry a credential', () => {
    for (const name of ['Authorization', 'Cookie', 'X-Api-Key', 'GITHUB_TOKEN', 'DB_PASSWORD', 'apikey']) assert.ok(namesCredential(name), name);
    for (const name of ['X-Region', 'MODE', 'Accept', 'KEYBOARD_LAYOUT']) assert.ok(!namesCredential(name), name);
  });
});
