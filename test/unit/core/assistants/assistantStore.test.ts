import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { describeErrors } from '../../../../src/core/assistants/assistantFile';
import { FileAssistantStore } from '../../../../src/core/assistants/assistantStore';
import type { FileSystem } from '../../../../src/core/workspace/fileSystem';
import { nodeFileSystem, nodeWorkspaceFs } from '../../../../src/core/workspace/fileSystem';
import { Confinement } from '../../../../src/core/workspace/confinement';

const SECRET = 'db_password=hunter2-outside-the-workspace';
const VALID = (name: string, instructions: string) => JSON.stringify({ version: 1, name, model: 'gpt-4o', instructions });

describe('FileAssistantStore in a workspace: files stay inside it', () => {
  let tmp: string;
  let workspace: string;
  let outside: string;
  /** Every path the store read bytes from. */
  let reads: string[];
  let recording: FileSystem;

  const storeOf = (dir: string) => new FileAssistantStore(recording, dir, 'workspace', new Confinement(nodeWorkspaceFs, () => ({ roots: [workspace], deny: [], exclude: [] }), false));

  beforeEach(() => {
    tmp = fs.realpathSync(fs.mkdtempSync(path.join(os.tmpdir(), 'assistant-store-')));
    workspace = path.join(tmp, 'ws');
    outside = path.join(tmp, 'elsewhere');
    fs.mkdirSync(path.join(workspace, '.assistants'), { recursive: true });
    fs.mkdirSync(path.join(workspace, 'shared'), { recursive: true });
    fs.mkdirSync(outside, { recursive: true });
    fs.writeFileSync(path.join(outside, 'credentials.env'), SECRET);
    fs.writeFileSync(path.join(outside, 'secret.assistant.json'), VALID('Outside name', 'TOP SECRET instructions'));
    fs.writeFileSync(path.join(workspace, 'shared', 'team.json'), VALID('Team helper', 'Be kind.'));
    fs.writeFileSync(path.join(workspace, '.assistants', 'plain.assistant.json'), VALID('Plain', 'Plain one.'));
    reads = [];
    recording = { ...nodeFileSystem, readFile: async (file) => (reads.push(file), nodeFileSystem.readFile(file)) };
  });
  afterEach(() => fs.rmSync(tmp, { recursive: true, force: true }));

  it('lists a link leading out of the workspace as refused with the reason, and never reads what it points at', async () => {
    fs.symlinkSync(path.join(outside, 'credentials.env'), path.join(workspace, '.assistants', 'leak.assistant.json'));
    fs.symlinkSync(path.join(outside, 'secret.assistant.json'), path.join(workspace, '.assistants', 'valid-looking.assistant.json'));
    const entries = await storeOf(path.join(workspace, '.assistants')).list();

    assert.deepEqual(entries.map((e) => [e.id, e.name, e.refused === true, e.assistant !== undefined]), [
      ['workspace:leak', 'leak', true, false],
      ['workspace:plain', 'Plain', false, true],
      ['workspace:valid-looking', 'valid-looking', true, false],
    ]);
    for (const entry of entries.filter((e) => e.refused)) {
      const reason = describeErrors(entry.errors ?? []);
      assert.match(reason, /links to a place outside the workspace/);
      assert.match(reason, /copy the file into the folder instead of linking to it/);
      assert.ok(!reason.includes('hunter2') && !reason.includes('SECRET') && !reason.includes(outside), reason);
    }
    assert.deepEqual(reads.filter((file) => !file.startsWith(workspace)), []);
    assert.deepEqual(reads.map((file) => path.basename(file)), ['plain.assistant.json']);
  });

  it('refuses every file of an assistants folder that is itself a link out of the workspace', async () => {
    fs.rmSync(path.join(workspace, '.assistants'), { recursive: true });
    fs.symlinkSync(outside, path.join(workspace, '.assistants'));
    const entries = await storeOf(path.join(workspace, '.assistants')).list();
    assert.deepEqual(entries.map((e) => [e.id, e.refused]), [['workspace:secret', true]]);
    assert.deepEqual(reads, []);
  });

  it('creates, updates, locks and deletes nothing through an assistants folder that leads out of the workspace', async () => {
    const draft = { name: 'New', model: 'gpt-4o', tools: [] };
    const snapshot = () => fs.readdirSync(outside).sort().map((name) => `${name}:${fs.readFileSync(path.join(outside, name), 'utf8')}`);
    const before = snapshot();
    for (const [label, plant] of [
      ['the folder is a link out', () => fs.symlinkSync(outside, path.join(workspace, '.assistants'))],
      ['the folder is a dangling link out', () => fs.symlinkSync(path.join(outside, 'not-yet'), path.join(workspace, '.assistants'))],
      ['a folder above it is a link out', () => (fs.mkdirSync(path.join(outside, '.assistants'), { recursive: true }), fs.symlinkSync(outside, path.join(workspace, 'config')))],
    ] as const) {
      fs.rmSync(path.join(workspace, '.assistants'), { recursive: true, force: true });
      fs.rmSync(path.join(workspace, 'config'), { force: true });
      plant();
      const dir = label.startsWith('a folder above') ? path.join(workspace, 'config', '.assistants') : path.join(workspace, '.assistants');
      const store = storeOf(dir);
      const refused = (error: unknown) => {
        assert.equal((error as { kind?: string }).kind, 'permission', label);
        assert.match(String(error), /links to a place outside the workspace.*only inside the workspace/, label);
        return true;
      };
      await assert.rejects(store.create(draft), refused);
      await assert.rejects(store.update('workspace:secret', draft, {}), refused);
      await assert.rejects(store.delete('workspace:secret'), refused);
      fs.rmSync(path.join(outside, '.assistants'), { recursive: true, force: true });
      assert.deepEqual(snapshot(), before, `${label}: nothing outside was created, changed or deleted`);
    }
  });

  it('reads a link that stays inside the workspace, from where it really is', async () => {
    fs.symlinkSync(path.join('..', 'shared', 'team.json'), path.join(workspace, '.assistants', 'team.assistant.json'));
    const entries = await storeOf(path.join(workspace, '.assistants')).list();
    const team = entries.find((e) => e.id === 'workspace:team');
    assert.equal(team?.assistant?.instructions, 'Be kind.');
    assert.equal(team?.refused, undefined);
    assert.ok(reads.includes(path.join(workspace, 'shared', 'team.json')), reads.join(', '));
  });

  it('an update of a file that links out of the workspace reads and writes nothing there, whether a merge or an overwrite', async () => {
    const store = storeOf(path.join(workspace, '.assistants'));
    const draft = { name: 'Leak', model: 'gpt-4o', tools: [] };
    for (const target of [path.join(outside, 'credentials.env'), path.join(outside, 'secret.assistant.json')]) {
      const link = path.join(workspace, '.assistants', 'leak.assistant.json');
      fs.rmSync(link, { force: true });
      fs.symlinkSync(target, link);
      const before = fs.readFileSync(target, 'utf8');
      for (const options of [{ base: draft }, {}]) {
        await assert.rejects(store.update('workspace:leak', draft, options), (error: unknown) => {
          assert.equal((error as { kind?: string }).kind, 'permission');
          assert.match(String(error), /copy the file into the folder instead of linking to it/);
          assert.ok(!String(error).includes('hunter2') && !String(error).includes('SECRET'));
          return true;
        });
      }
      assert.equal(fs.readFileSync(target, 'utf8'), before, 'the file outside is unchanged');
      assert.ok(fs.lstatSync(link).isSymbolicLink(), 'the link is left as it is');
      assert.deepEqual(reads.filter((file) => !file.startsWith(workspace)), [], 'nothing outside was read');
    }
  });

  it('a store without a confinement (the user\'s own folder) reads its files wherever they lead', async () => {
    fs.symlinkSync(path.join(outside, 'secret.assistant.json'), path.join(workspace, '.assistants', 'mine.assistant.json'));
    const entries = await new FileAssistantStore(recording, path.join(workspace, '.assistants'), 'user').list();
    assert.equal(entries.find((e) => e.id === 'user:mine')?.assistant?.name, 'Outside name');
  });

  for (const [label, bytes] of [
    ['5 MB', 5 * 1024 * 1024],
    ['600 MB (more than a string can hold)', 600 * 1024 * 1024],
    ['8 GB', 8 * 1024 * 1024 * 1024],
  ] as const) {
    it(`lists an assistant file of ${label} with the reason, unread, beside the others; an update of it is refused`, async () => {
      const big = path.join(workspace, '.assistants', 'big.assistant.json');
      fs.writeFileSync(big, '{"version":1,"name":"Big","model":"gpt-4o","instructions":"');
      fs.truncateSync(big, bytes); // sparse: no disk is used
      const store = storeOf(path.join(workspace, '.assistants'));
      const entries = await store.list();
      assert.deepEqual(entries.map((e) => [e.name, e.assistant !== undefined]), [['big', false], ['Plain', true]]);
      assert.match(describeErrors(entries[0].errors ?? []), /is \d+(\.\d)? MB, larger than an assistant file may be \(4\.0 MB\), so it is not read; shorten it/);
      assert.ok(!reads.includes(big), 'the big file was never read');
      await assert.rejects(store.update('workspace:big', { name: 'Big', model: 'gpt-4o', tools: [] }), /^AssistantsError: big\.assistant\.json is \d+(\.\d)? MB, larger than an assistant file may be/);
      assert.ok(!reads.includes(big), 'nor read to update it');
    });
  }
});
