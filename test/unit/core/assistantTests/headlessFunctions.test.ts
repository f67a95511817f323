import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type { Run } from '../../../../src/common/model';
import { headlessFunctions } from '../../../../src/core/assistantTests/workspace';
import { UNTRUSTED_OUTPUT } from '../../../../src/core/functions/functionToolHandler';
import { nodeWorkspaceFs } from '../../../../src/core/workspace/fileSystem';

describe('the read-only functions of headless runs', () => {
  let root: string;
  const run: Run = { id: 'run_1', threadId: 't', assistantId: 'a', status: 'requires_action', createdAt: 0 };
  const call = async (trusted: (() => boolean) | undefined, name: string, args: Record<string, unknown>) => {
    const { toolHandler } = headlessFunctions({ root, fs: nodeWorkspaceFs, deny: ['**/.env*'], ...(trusted ? { trusted } : {}) });
    const [output] = await toolHandler.handle([{ callId: 'c1', name, arguments: JSON.stringify(args) }], { run, signal: new AbortController().signal });
    return output.output;
  };

  beforeEach(() => {
    root = fs.mkdtempSync(path.join(os.tmpdir(), 'headless-'));
    fs.writeFileSync(path.join(root, 'notes.md'), 'the launch is on Friday');
    fs.writeFileSync(path.join(root, '.env'), 'KEY=secret');
  });
  afterEach(() => fs.rmSync(root, { recursive: true, force: true }));

  it('reads workspace files while trusted (by default), never a denied one, and nothing while not trusted', async () => {
    assert.match(await call(undefined, 'read_file', { path: 'notes.md' }), /launch is on Friday/);
    assert.match(await call(undefined, 'read_file', { path: '.env' }), /^Error: Refused: ".env" may hold secrets/);
    let trusted = true;
    assert.match(await call(() => trusted, 'read_file', { path: 'notes.md' }), /Friday/);
    trusted = false;
    assert.equal(await call(() => trusted, 'read_file', { path: 'notes.md' }), UNTRUSTED_OUTPUT);
    assert.equal(await call(() => false, 'list_files', { path: '.' }), UNTRUSTED_OUTPUT);
  });

  it('has no function that writes: a call of one is answered with an error and changes nothing', async () => {
    assert.equal(await call(undefined, 'propose_edit', { path: 'notes.md', content: 'x' }), 'Error: no workspace function named propose_edit is available.');
    assert.equal(fs.readFileSync(path.join(root, 'notes.md'), 'utf8'), 'the launch is on Friday');
  });
});
