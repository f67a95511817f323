import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { ServerAssistantStore } from '../../../../src/backends/assistantsV2/serverAssistantStore';
import { createOpenAIClient } from '../../../../src/backends/openaiClient';
import type { KeyValueState, RunAdditions } from '../../../../src/core/assistants/assistantService';
import { AssistantService, LINK_KEY } from '../../../../src/core/assistants/assistantService';
import type { AssistantStore } from '../../../../src/core/assistants/assistantStore';
import { FileAssistantStore } from '../../../../src/core/assistants/assistantStore';
import { AssistantsError } from '../../../../src/core/errors';
import { nodeFileSystem } from '../../../../src/core/workspace/fileSystem';
import type { AssistantDraft, ToolDefinition } from '../../../../src/common/model';

const READ_FILE: ToolDefinition = { type: 'function', function: { name: 'read_file', parameters: { type: 'object', properties: {} } } };
import { FakeOpenAIServer } from '../../../fakes/fakeServer';

class MemoryState implements KeyValueState {
  readonly values = new Map<string, unknown>();
  get<T>(key: string): T | undefined {
    return this.values.get(key) as T | undefined;
  }
  async update(key: string, value: unknown): Promise<void> {
    this.values.set(key, value);
  }
}

const settingsDraft: AssistantDraft = { name: 'Default assistant', model: 'gpt-settings', instructions: 'From settings.', tools: [] };
const isBadRequest = (e: unknown) => e instanceof AssistantsError && e.kind === 'bad_request';

describe('AssistantService over file stores', () => {
  let dir: string;
  let workspace: FileAssistantStore;
  let user: FileAssistantStore;
  let state: MemoryState;
  let service: AssistantService;
  let runtime: RunAdditions;
  let server: AssistantStore | undefined;

  beforeEach(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'assistants-'));
    workspace = new FileAssistantStore(nodeFileSystem, path.join(dir, 'ws', '.assistants'), 'workspace');
    user = new FileAssistantStore(nodeFileSystem, path.join(dir, 'user'), 'user');
    state = new MemoryState();
    runtime = { tools: [] };
    server = undefined;
    service = new AssistantService({
      stores: async () => (server ? [workspace, user, server] : [workspace, user]),
      state,
      firstAssistant: () => settingsDraft,
      firstLocation: 'user',
      runAdditions: () => runtime,
    });
  });
  afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

  it('gives a new user the settings assistant first, as a file, and makes it active', async () => {
    assert.deepEqual(await service.list(), []);
    const active = await service.active();
    assert.equal(active.id, 'user:default-assistant');
    assert.equal(active.assistant?.model, 'gpt-settings');
    assert.ok(fs.existsSync(path.join(dir, 'user', 'default-assistant.assistant.json')));
    assert.equal(service.activeId(), active.id);
    // Made once: asking again does not add a second one.
    await service.active();
    assert.equal((await service.list()).length, 1);
  });

  it('creates, updates, clones and deletes assistant files', async () => {
    const changes: number[] = [];
    service.onDidChange(() => changes.push(1));
    const created = await service.create('workspace', { name: 'Code Reviewer', model: 'gpt-4.1', tools: [], temperature: 0.2 });
    assert.equal(created.id, 'workspace:code-reviewer');
    const onDisk = JSON.parse(fs.readFileSync(path.join(dir, 'ws', '.assistants', 'code-reviewer.assistant.json'), 'utf8'));
    assert.deepEqual(onDisk, { version: 1, name: 'Code Reviewer', model: 'gpt-4.1', tools: [], temperature: 0.2 });

    const updated = await service.update(created.id, { name: 'Renamed', model: 'gpt-4.1-mini', tools: [{ type: 'code_interpreter' }] });
    assert.equal(updated.id, created.id, 'the id (file) survives a rename');
    assert.equal(updated.assistant?.name, 'Renamed');

    const copy = await service.clone(created.id, 'user');
    assert.equal(copy.id, 'user:renamed-copy');
    assert.equal(copy.assistant?.name, 'Renamed (copy)');
    const second = await service.clone(created.id);
    assert.equal(second.id, 'workspace:renamed-copy');
    const third = await service.clone(created.id);
    assert.equal(third.id, 'workspace:renamed-copy-2', 'a taken file name gets a number');

    await service.select(created.id);
    await service.delete(created.id);
    assert.equal(service.activeId(), undefined, 'deleting the active assistant clears the choice');
    assert.deepEqual((await service.list()).map((e) => e.id).sort(), ['user:renamed-copy', 'workspace:renamed-copy', 'workspace:renamed-copy-2']);
    assert.equal(changes.length, 7, "create, update, three clones, select, delete");
  });

  it('refuses an invalid draft with its reasons and writes nothing', async () => {
    await assert.rejects(service.create('workspace', { name: 'Hot', model: 'gpt-4.1', tools: [], temperature: 5 }), (e: unknown) => isBadRequest(e) && /temperature: must be <= 2/.test((e as Error).message));
    await assert.rejects(
      service.create('workspace', { name: 'Fn', model: 'gpt-4.1', tools: [{ type: 'function', function: { name: 'f', parameters: { type: 'nonsense' } } }] }),
      (e: unknown) => isBadRequest(e) && /tools\.0\.function\.parameters/.test((e as Error).message),
    );
    assert.deepEqual(await service.list(), []);
  });

  it('lists an invalid file with its problems and never runs it', async () => {
    fs.mkdirSync(workspace.dir, { recursive: true });
    fs.writeFileSync(path.join(workspace.dir, 'broken.assistant.json'), '{"version": 1, "name": "Broken", "model": "m", "top_p": 7}');
    const [entry] = await service.list();
    assert.equal(entry.id, 'workspace:broken');
    assert.equal(entry.assistant, undefined);
    assert.deepEqual(entry.errors?.map((e) => e.path), ['/top_p']);
    await assert.rejects(service.forRun(undefined, entry.id), (e: unknown) => isBadRequest(e) && /"Broken" cannot run until its file is fixed: top_p/.test((e as Error).message));
  });

  it('never makes an assistant that cannot run active: each kind of invalid file is refused with its problems, the choice unchanged', async () => {
    const good = await service.create('workspace', { name: 'Good', model: 'm', tools: [] });
    await service.select(good.id);
    const files: Record<string, string> = {
      'out-of-range.assistant.json': '{"version": 1, "name": "Hot", "model": "m", "temperature": 7}',
      'not-json.assistant.json': '{"version": 1, "name": "Cut',
      'no-model.assistant.json': '{"version": 1, "name": "Modelless"}',
      'wrong-tool.assistant.json': '{"version": 1, "name": "Tooly", "model": "m", "tools": [{"type": "teleport"}]}',
    };
    for (const [name, text] of Object.entries(files)) fs.writeFileSync(path.join(workspace.dir, name), text);
    const invalid = (await service.list()).filter((entry) => !entry.assistant);
    assert.equal(invalid.length, 4);
    for (const entry of invalid) {
      await assert.rejects(service.select(entry.id), (e: unknown) => isBadRequest(e) && /cannot run until its file is fixed/.test((e as Error).message), entry.id);
      assert.equal(service.activeId(), good.id, `${entry.id} did not become active`);
    }
    await assert.rejects(service.select('workspace:gone'), (e: unknown) => e instanceof AssistantsError && e.kind === 'not_found');
    // The active file broken on disk stays the choice (no silent switch to another), and refuses to run, saying why.
    fs.writeFileSync(good.file ?? '', '{"version": 1, "name": "Good", "model": "m", "top_p": 9}');
    const active = await service.active();
    assert.equal(active.id, good.id);
    assert.equal(active.assistant, undefined);
    await assert.rejects(service.forRun(), (e: unknown) => isBadRequest(e) && /"Good" cannot run until its file is fixed: top_p/.test((e as Error).message));
  });

  it('lists a file it cannot read with the reason, and the others as usual', async () => {
    const good = await service.create('workspace', { name: 'Good', model: 'm', tools: [] });
    // A folder with an assistant file's name (a bad checkout, a tool's cache): reading it fails.
    fs.mkdirSync(path.join(workspace.dir, 'odd.assistant.json'));
    const entries = await service.list();
    assert.deepEqual(entries.map((e) => e.id).sort(), [good.id, 'workspace:odd']);
    const odd = entries.find((e) => e.id === 'workspace:odd')!;
    assert.equal(odd.assistant, undefined);
    assert.match(odd.errors?.[0].message ?? '', /^cannot be read: .*EISDIR/);
    assert.ok(!odd.errors?.[0].message.includes(dir), 'no local path in the reason');
  });

  it('sees files changed on disk at once (no cache)', async () => {
    const created = await service.create('workspace', { name: 'A', model: 'm', tools: [] });
    const file = created.file!;
    fs.writeFileSync(file, fs.readFileSync(file, 'utf8').replace('"m"', '"gpt-edited"'));
    assert.equal((await service.get(created.id)).assistant?.model, 'gpt-edited');
  });

  it('lists the most recently used first', async () => {
    const a = await service.create('workspace', { name: 'A', model: 'm', tools: [] });
    const b = await service.create('user', { name: 'B', model: 'm', tools: [] });
    const c = await service.create('workspace', { name: 'C', model: 'm', tools: [] });
    await service.select(a.id);
    await service.select(c.id);
    assert.deepEqual((await service.list()).map((e) => e.id), [c.id, a.id, b.id]);
  });

  it('runs the active assistant with the run additions, a function it defines itself not added twice', async () => {
    const created = await service.create('workspace', { name: 'A', model: 'm', instructions: 'Be brief.', tools: [{ type: 'code_interpreter' }] });
    await service.select(created.id);
    runtime = { tools: [READ_FILE] };
    const assistant = await service.forRun();
    assert.deepEqual(assistant.tools.map((t) => (t.type === 'function' ? t.function.name : t.type)), ['code_interpreter', 'read_file']);
    assert.equal(assistant.id, created.id);
    await service.update(created.id, { name: 'A', model: 'm', instructions: 'Be brief.', tools: [READ_FILE] });
    assert.equal((await service.forRun()).tools.length, 1);
    runtime = { tools: [], instructions: 'Functions are off.' };
    assert.equal((await service.forRun()).instructions, 'Be brief.\n\nFunctions are off.');
    assert.equal((await service.get(created.id)).assistant?.instructions, 'Be brief.', 'nothing of the run is written to the file');
  });

  describe('with an Assistants v2 server', () => {
    let fake: FakeOpenAIServer;
    let store: ServerAssistantStore;

    beforeEach(async () => {
      fake = await FakeOpenAIServer.start();
      store = new ServerAssistantStore(createOpenAIClient({ protocol: 'assistantsV2', apiKey: 'sk-test', baseUrl: fake.baseUrl }));
      server = store;
    });
    afterEach(() => fake.close());

    it('lists server assistants beside the files and edits them in place', async () => {
      await service.create('workspace', { name: 'File one', model: 'm', tools: [] });
      const remote = await service.create('server', { name: 'Remote', model: 'gpt-4.1', tools: [], reasoningEffort: 'high' });
      assert.match(remote.id, /^asst_/);
      assert.equal(remote.assistant?.reasoningEffort, 'high');
      assert.deepEqual((await service.list()).map((e) => e.location).sort(), ['server', 'workspace']);
      await service.update(remote.id, { name: 'Remote 2', model: 'gpt-4.1', tools: [] });
      assert.equal((await service.get(remote.id)).name, 'Remote 2');
      await service.delete(remote.id);
      assert.deepEqual((await service.list()).map((e) => e.location), ['workspace']);
    });

    it('publishes a file assistant for a run once, and again only when it changed', async () => {
      const file = await service.create('workspace', { name: 'Published', model: 'gpt-4.1', instructions: 'One.', tools: [] });
      await service.select(file.id);
      const first = await service.forRun(store);
      assert.match(first.id, /^asst_/);
      assert.equal(first.metadata?.[LINK_KEY], file.id);
      const writes = () => fake.requests.filter((r) => r.method === 'POST' && r.path.startsWith('/assistants')).length;
      assert.equal(writes(), 1);
      assert.equal((await service.forRun(store)).id, first.id);
      assert.equal(writes(), 1, 'unchanged: not sent again');
      await service.update(file.id, { name: 'Published', model: 'gpt-4.1', instructions: 'Two.', tools: [] });
      const second = await service.forRun(store);
      assert.equal(second.id, first.id, 'the same server object is updated');
      assert.equal(second.instructions, 'Two.');
      assert.equal(writes(), 2);
    });

    it('pushes a file to the server and pulls the server\'s edits back into it', async () => {
      const file = await service.create('user', { name: 'Synced', model: 'gpt-4.1', instructions: 'Local.', tools: [] });
      const pushed = await service.push(file.id, store);
      await store.update(pushed.id, { name: 'Synced', model: 'gpt-4o', instructions: 'Edited on the server.', tools: [], metadata: { ...pushed.metadata } });
      const pulled = await service.pull(file.id, store);
      assert.equal(pulled.assistant?.instructions, 'Edited on the server.');
      assert.equal(pulled.assistant?.model, 'gpt-4o');
      assert.equal(pulled.assistant?.metadata, undefined, 'the link stays off the file');
      const other = await service.create('user', { name: 'Never pushed', model: 'm', tools: [] });
      await assert.rejects(service.pull(other.id, store), (e: unknown) => e instanceof AssistantsError && e.kind === 'not_found');
    });

    it('never publishes over, or pulls from, a teammate\'s assistant published from their own file of the same id', async () => {
      const theirs = await store.create({ name: 'Helper', model: 'gpt-4.1', instructions: 'Theirs.', tools: [], metadata: { [LINK_KEY]: 'user:helper' } });
      const mine = await service.create('user', { name: 'Helper', model: 'gpt-4.1', instructions: 'Mine.', tools: [] });
      assert.equal(mine.id, 'user:helper');
      assert.equal(service.linkedFile(theirs.assistant!), undefined, 'their link names my file id, but I never published it');
      await assert.rejects(service.pull(mine.id, store), (e: unknown) => e instanceof AssistantsError && e.kind === 'not_found');
      assert.equal((await service.get(mine.id)).assistant?.instructions, 'Mine.', 'their instructions were not pulled into my file');
      await service.select(mine.id);
      const published = await service.forRun(store);
      assert.notEqual(published.id, theirs.id, 'a new server assistant, not theirs');
      assert.equal((await store.list()).find((e) => e.id === theirs.id)?.assistant?.instructions, 'Theirs.', 'theirs is untouched');
      assert.equal(service.linkedFile(published), mine.id);
    });

    it('finds the server assistant a personal file was published to from another workspace, and one published before links were recorded', async () => {
      const userState = new MemoryState();
      const inWorkspace = (workspaceState: MemoryState) =>
        new AssistantService({ stores: async () => [workspace, user, store], state: workspaceState, userState, firstAssistant: () => settingsDraft, firstLocation: 'user', runAdditions: () => runtime });
      const file = await service.create('user', { name: 'Everywhere', model: 'gpt-4.1', tools: [] });
      const first = await inWorkspace(new MemoryState()).push(file.id, store);
      const other = inWorkspace(new MemoryState());
      await other.select(file.id);
      assert.equal((await other.forRun(store)).id, first.id, 'the same server object from another workspace');
      // Published by an earlier version: only the fingerprint kept for the server id names the file.
      const legacy = await store.create({ name: 'Old', model: 'gpt-4.1', tools: [], metadata: { [LINK_KEY]: 'workspace:old' } });
      state.values.set(`assistants.published.${legacy.id}`, JSON.stringify({ name: 'Old', model: 'gpt-4.1', tools: [], metadata: { [LINK_KEY]: 'workspace:old' } }));
      assert.equal(service.linkedFile(legacy.assistant!), 'workspace:old');
      assert.equal(inWorkspace(new MemoryState()).linkedFile(legacy.assistant!), undefined, 'not in a workspace that never published it');
    });
  });
});
