import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type { WorkspaceReader } from '../../../src/core/workspaceFunctions';
import { resolveInWorkspace, workspaceToolHandler } from '../../../src/core/workspaceFunctions';

describe('workspace functions', () => {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'ws-'));
  fs.mkdirSync(path.join(root, 'src'));
  fs.writeFileSync(path.join(root, 'src', 'a.ts'), 'export const a = 1;\n');
  const reader: WorkspaceReader = {
    roots: () => [root],
    readFile: async (file) => (fs.existsSync(file) ? fs.readFileSync(file) : undefined),
    realPath: async (file) => {
      try {
        return fs.realpathSync(file);
      } catch {
        return file;
      }
    },
  };
  const run = { id: 'run', threadId: 't', assistantId: 'a', status: 'requires_action' as const, createdAt: 0 };
  const signal = new AbortController().signal;

  after(() => fs.rmSync(root, { recursive: true, force: true }));

  it('resolves relative paths inside the workspace and refuses the rest', () => {
    assert.deepEqual(resolveInWorkspace([root], 'src/a.ts'), { path: path.join(root, 'src', 'a.ts') });
    assert.ok('error' in resolveInWorkspace([root], '../secrets.txt'));
    assert.ok('error' in resolveInWorkspace([root], '/etc/passwd'));
    assert.ok('error' in resolveInWorkspace([root], 'src/../../x'));
    assert.ok('error' in resolveInWorkspace([], 'a.ts'));
  });

  it('answers read_file calls, several at once, with contents or sentences', async () => {
    const handler = workspaceToolHandler(reader, () => true);
    const outputs = await handler.handle(
      [
        { callId: 'c1', name: 'read_file', arguments: '{"path":"src/a.ts"}' },
        { callId: 'c2', name: 'read_file', arguments: '{"path":"../../etc/passwd"}' },
        { callId: 'c3', name: 'read_file', arguments: '{"path":"missing.ts"}' },
        { callId: 'c4', name: 'rm_rf', arguments: '{}' },
      ],
      { run, signal },
    );
    assert.deepEqual(outputs.map((o) => o.callId), ['c1', 'c2', 'c3', 'c4']);
    assert.equal(outputs[0].output, 'export const a = 1;\n');
    assert.match(outputs[1].output, /outside the workspace/);
    assert.match(outputs[2].output, /does not exist/);
    assert.match(outputs[3].output, /no workspace function named rm_rf/);
  });

  it('refuses a link inside the workspace that points outside it, and reads a folder named ..x', async () => {
    const outside = fs.mkdtempSync(path.join(os.tmpdir(), 'secret-'));
    fs.writeFileSync(path.join(outside, 'credentials'), 'aws_secret_access_key = hunter2\n');
    fs.symlinkSync(path.join(outside, 'credentials'), path.join(root, 'config.txt'));
    fs.mkdirSync(path.join(root, '..x'));
    fs.writeFileSync(path.join(root, '..x', 'ok.txt'), 'fine\n');
    try {
      const handler = workspaceToolHandler(reader, () => true);
      const [linked, dotted] = await handler.handle(
        [
          { callId: 'c1', name: 'read_file', arguments: '{"path":"config.txt"}' },
          { callId: 'c2', name: 'read_file', arguments: '{"path":"..x/ok.txt"}' },
        ],
        { run, signal },
      );
      assert.match(linked.output, /links to a file outside the workspace/);
      assert.doesNotMatch(linked.output, /hunter2/);
      assert.equal(dotted.output, 'fine\n');
    } finally {
      fs.rmSync(outside, { recursive: true, force: true });
    }
  });

  it('refuses everything in an untrusted workspace', async () => {
    const handler = workspaceToolHandler(reader, () => false);
    const [output] = await handler.handle([{ callId: 'c1', name: 'read_file', arguments: '{"path":"src/a.ts"}' }], { run, signal });
    assert.match(output.output, /not trusted/);
  });
});
