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

  it('ends the sentence with one full stop, whether the thrown message has its own or not', () => {
    for (const detail of ['x.json is not a regular file, so it is not read.', 'x.json is not a regular file', 'wait...']) {
      const message = asAssistantsError(new Error(detail)).message;
      assert.doesNotMatch(message, /\.\./, message);
      assert.match(message, /^Something unexpected went wrong: [^]*[^.]\. "Assistants: Show Log" has the details\.$/, message);
    }
  });
});

describe('asAssistantsError: the file system', () => {
  const nodeError = (code: string, message: string) => Object.assign(new Error(message), { code });

  it('says what to do about a full disk, a read-only or forbidden place, without the local path', () => {
    const cases: Array<[Error, RegExp]> = [
      [nodeError('ENOSPC', "ENOSPC: no space left on device, open '/home/ann/.config/threads/t1.json.tmp'"), /disk is full.*Free some space/],
      [nodeError('EDQUOT', "EDQUOT: disk quota exceeded, write '/home/ann/x'"), /quota.*Free some space/],
      [nodeError('EROFS', "EROFS: read-only file system, open '/mnt/ro/x.md'"), /read-only/],
      [nodeError('EACCES', "EACCES: permission denied, open '/etc/x.json'"), /Permission denied.*permissions/],
      [nodeError('EPERM', "EPERM: operation not permitted, rename '/a' -> '/b'"), /Permission denied/],
      // VS Code's FileSystemError carries Node's code in its message.
      [Object.assign(new Error("Unable to write file '/home/ann/out.md' (Unknown (FileSystemError): Error: ENOSPC: no space left on device)"), { code: 'Unknown' }), /disk is full/],
      [Object.assign(new Error("Unable to write file '/home/bob/out.md' (NoPermissions (FileSystemError): Error: EACCES: permission denied)"), { code: 'NoPermissions' }), /Permission denied/],
    ];
    for (const [thrown, expected] of cases) {
      const mapped = asAssistantsError(thrown);
      assert.equal(mapped.kind, 'file_system', thrown.message);
      assert.match(mapped.message, expected);
      assert.ok(!/\/home|\/etc|\/mnt|\/a'/.test(mapped.message), `no path in: ${mapped.message}`);
      assert.equal(mapped.options.cause, thrown, 'the log keeps the original');
    }
  });
});
