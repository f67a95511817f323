import * as assert from 'node:assert/strict';
import { execFile, execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { fileFromDraft } from '../../../../src/core/assistants/assistantFile';
import { overwriteOf } from '../../../../src/core/assistants/assistantMerge';
import { draftOf } from '../../../../src/core/assistants/assistantService';
import type { AssistantEntry } from '../../../../src/core/assistants/assistantStore';
import { FileAssistantStore } from '../../../../src/core/assistants/assistantStore';
import { AssistantConflictError, AssistantsError } from '../../../../src/core/errors';
import { Confinement } from '../../../../src/core/workspace/confinement';
import { nodeFileSystem, nodeWorkspaceFs } from '../../../../src/core/workspace/fileSystem';
import type { AssistantDraft } from '../../../../src/common/model';

const HELPER: AssistantDraft = { name: 'Helper', model: 'gpt-4.1', instructions: 'Be brief.', tools: [{ type: 'code_interpreter' }], metadata: { team: 'docs' } };

/** Two edits of one draft, each made from the same read, as two windows make them. */
type Edit = (draft: AssistantDraft) => AssistantDraft;

describe('assistant files never lose a write', () => {
  let dir: string;
  /** Two stores over one folder: two windows of one workspace. */
  let left: FileAssistantStore;
  let right: FileAssistantStore;
  beforeEach(() => {
    dir = path.join(fs.realpathSync(fs.mkdtempSync(path.join(os.tmpdir(), 'assistant-writes-'))), '.assistants');
    left = new FileAssistantStore(nodeFileSystem, dir, 'workspace');
    right = new FileAssistantStore(nodeFileSystem, dir, 'workspace');
  });
  afterEach(() => fs.rmSync(path.dirname(dir), { recursive: true, force: true }));

  const onDisk = (entry: AssistantEntry) => JSON.parse(fs.readFileSync(entry.file ?? '', 'utf8')) as Record<string, unknown>;
  const base = (entry: AssistantEntry) => draftOf(entry) ?? assert.fail('the entry is valid');

  const different: [string, Edit, Edit, (file: Record<string, unknown>) => void][] = [
    ['instructions and model', (d) => ({ ...d, instructions: 'Be thorough.' }), (d) => ({ ...d, model: 'gpt-4o' }), (f) => assert.deepEqual([f.instructions, f.model], ['Be thorough.', 'gpt-4o'])],
    [
      'a new vector store and a metadata key',
      (d) => ({ ...d, tools: [...d.tools, { type: 'file_search' }], toolResources: { fileSearch: { vectorStoreIds: ['vs_1'] } } }),
      (d) => ({ ...d, metadata: { ...d.metadata, owner: 'ana' } }),
      (f) => {
        assert.deepEqual(f.tool_resources, { file_search: { vector_store_ids: ['vs_1'] } });
        assert.deepEqual(f.metadata, { team: 'docs', owner: 'ana' });
        assert.deepEqual((f.tools as { type: string }[]).map((t) => t.type), ['code_interpreter', 'file_search']);
      },
    ],
    [
      'a function added and the name',
      (d) => ({ ...d, tools: [...d.tools, { type: 'function', function: { name: 'lookup' } }] }),
      (d) => ({ ...d, name: 'Helper Two', temperature: 0.2 }),
      (f) => {
        assert.deepEqual([f.name, f.temperature], ['Helper Two', 0.2]);
        assert.deepEqual((f.tools as { type: string }[]).map((t) => t.type), ['code_interpreter', 'function']);
      },
    ],
  ];
  for (const [title, one, other, check] of different) {
    it(`two windows changing different fields (${title}) from the same read: both changes are kept`, async () => {
      const entry = await left.create(HELPER);
      const read = base(entry);
      await left.update(entry.id, one(read), { base: read });
      await right.update(entry.id, other(read), { base: read });
      check(onDisk(entry));
    });
    it(`two windows changing different fields (${title}) at the same moment: both changes are kept`, async () => {
      const entry = await left.create(HELPER);
      const read = base(entry);
      await Promise.all([left.update(entry.id, one(read), { base: read }), right.update(entry.id, other(read), { base: read })]);
      check(onDisk(entry));
    });
  }

  const same: [string, Edit, Edit, string[]][] = [
    ['instructions', (d) => ({ ...d, instructions: 'Be thorough.' }), (d) => ({ ...d, instructions: 'Be funny.' }), ['instructions']],
    [
      'the vector store',
      (d) => ({ ...d, toolResources: { fileSearch: { vectorStoreIds: ['vs_left'] } } }),
      (d) => ({ ...d, toolResources: { fileSearch: { vectorStoreIds: ['vs_right'] } } }),
      ['tool_resources.file_search'],
    ],
    ['a metadata key and the model', (d) => ({ ...d, model: 'gpt-4o', metadata: { team: 'web' } }), (d) => ({ ...d, model: 'o3', metadata: { team: 'api' } }), ['model', 'metadata.team']],
  ];
  for (const [title, one, other, fields] of same) {
    it(`the second window changing the same field (${title}) is refused with both versions; the first change stays on disk`, async () => {
      const entry = await left.create(HELPER);
      const read = base(entry);
      await left.update(entry.id, one(read), { base: read });
      const kept = fs.readFileSync(entry.file ?? '', 'utf8');
      await assert.rejects(right.update(entry.id, other(read), { base: read }), (error: unknown) => {
        assert.ok(error instanceof AssistantConflictError, String(error));
        assert.deepEqual(error.fields, fields);
        assert.equal(error.current, kept);
        assert.deepEqual(error.where, { assistantId: entry.id, file: entry.file });
        assert.deepEqual(JSON.parse(error.proposed), fileFromDraft(other(read)), 'the proposal is this side\'s edit');
        return true;
      });
      assert.equal(fs.readFileSync(entry.file ?? '', 'utf8'), kept, 'nothing was written');
      // Overwrite (no base) is the user's explicit choice after seeing the conflict.
      await right.update(entry.id, other(read));
      assert.equal(onDisk(entry).instructions, other(read).instructions);
    });
  }

  it('Overwrite after a conflict writes this side over the version shown, and keeps what another window saved while the user chose', async () => {
    const entry = await left.create(HELPER);
    const read = base(entry);
    await left.update(entry.id, { ...read, instructions: 'Window A' }, { base: read });
    const conflict = await right.update(entry.id, { ...read, instructions: 'Window B' }, { base: read }).then(
      () => assert.fail('the same field changed twice is a conflict'),
      (error: unknown) => (error instanceof AssistantConflictError ? error : assert.fail(String(error))),
    );
    // While the warning is open, the first window saves two other fields.
    const meanwhile = base((await left.list())[0]);
    await left.update(entry.id, { ...meanwhile, temperature: 0.2, metadata: { team: 'docs', owner: 'ana' } }, { base: meanwhile });
    const overwrite = overwriteOf(conflict);
    assert.ok(!('problem' in overwrite) && overwrite.base, 'the version shown is the base');
    await right.update(entry.id, overwrite.draft, { base: overwrite.base });
    assert.deepEqual([onDisk(entry).instructions, onDisk(entry).temperature, onDisk(entry).metadata], ['Window B', 0.2, { team: 'docs', owner: 'ana' }]);
    // The field in conflict changed once more while the user chose: that is asked about again, not written over.
    await left.update(entry.id, { ...read, instructions: 'Window C' });
    const shown = await right.update(entry.id, { ...read, instructions: 'Window D' }, { base: read }).then(() => assert.fail('a conflict'), (error: unknown) => error as AssistantConflictError);
    await left.update(entry.id, { ...base((await left.list())[0]), instructions: 'Window E' });
    const again = overwriteOf(shown);
    assert.ok(!('problem' in again));
    await assert.rejects(right.update(entry.id, again.draft, { base: again.base }), (error: unknown) => error instanceof AssistantConflictError && error.current.includes('Window E'));
    assert.equal(onDisk(entry).instructions, 'Window E');
  });

  it('Overwrite of a file a hand edit left invalid writes this side whole; a proposal that is no assistant says why', () => {
    const proposed = JSON.stringify(fileFromDraft({ ...HELPER, instructions: 'Mine' }));
    for (const current of ['{ "version": 1, "name": "Helper", ', JSON.stringify({ version: 1, name: 'Helper' })]) {
      const overwrite = overwriteOf({ current, proposed });
      assert.ok(!('problem' in overwrite));
      assert.equal(overwrite.base, undefined, current);
      assert.equal(overwrite.draft.instructions, 'Mine');
    }
    const refused = overwriteOf({ current: proposed, proposed: JSON.stringify({ version: 1, name: 'Helper', temperature: 9 }) });
    assert.ok('problem' in refused && /model|temperature/.test(refused.problem), JSON.stringify(refused));
  });

  it('a hand edit that left the file invalid is not overwritten by a merging update; an overwrite keeps its $schema', async () => {
    const entry = await left.create(HELPER);
    const read = base(entry);
    for (const broken of ['{ "version": 1, "name": "Helper", ', JSON.stringify({ version: 1, name: 'Helper' })]) {
      fs.writeFileSync(entry.file ?? '', broken);
      await assert.rejects(left.update(entry.id, { ...read, model: 'gpt-4o' }, { base: read }), (error: unknown) => error instanceof AssistantConflictError && /not valid now/.test(error.message));
      assert.equal(fs.readFileSync(entry.file ?? '', 'utf8'), broken);
    }
    fs.writeFileSync(entry.file ?? '', JSON.stringify({ $schema: './assistant.schema.json', version: 1, name: 'Helper', model: 'gpt-4.1' }));
    await left.update(entry.id, { ...read, model: 'gpt-4o' });
    assert.deepEqual([onDisk(entry).$schema, onDisk(entry).model], ['./assistant.schema.json', 'gpt-4o']);
  });

  for (const count of [2, 3, 8]) {
    it(`${count} creates of one name at once make ${count} files, none overwritten`, async () => {
      const stores = Array.from({ length: count }, (_, i) => (i % 2 === 0 ? left : right));
      const made = await Promise.all(stores.map((store, i) => store.create({ ...HELPER, instructions: `Window ${i}` })));
      assert.equal(new Set(made.map((e) => e.id)).size, count);
      assert.equal(fs.readdirSync(dir).filter((name) => name.endsWith('.assistant.json')).length, count);
      assert.deepEqual(made.map((e) => onDisk(e).instructions).sort(), Array.from({ length: count }, (_, i) => `Window ${i}`).sort());
    });
  }

  it('a create whose name a hand-made file took after the folder was listed takes the next name', async () => {
    fs.mkdirSync(dir, { recursive: true });
    const handMade = path.join(dir, 'helper.assistant.json');
    const racing = new FileAssistantStore({ ...nodeFileSystem, readDir: async (folder) => {
      const names = await nodeFileSystem.readDir(folder);
      fs.writeFileSync(handMade, '{"hand": true}');
      return names;
    } }, dir, 'workspace');
    const made = await racing.create(HELPER);
    assert.equal(made.id, 'workspace:helper-2');
    assert.equal(fs.readFileSync(handMade, 'utf8'), '{"hand": true}');
  });

  it('an update after a delete does not bring the file back, with or without a base', async () => {
    for (const withBase of [true, false]) {
      const entry = await left.create(HELPER);
      const read = base(entry);
      await right.delete(entry.id);
      await assert.rejects(left.update(entry.id, { ...read, model: 'gpt-4o' }, withBase ? { base: read } : {}), (error: unknown) => error instanceof AssistantsError && error.kind === 'not_found' && /deleted meanwhile/.test(error.message));
      assert.ok(!fs.existsSync(entry.file ?? ''), 'the file stays deleted');
    }
  });

  it('an update racing a delete: the file ends deleted whichever runs first', async () => {
    for (let round = 0; round < 10; round++) {
      const entry = await left.create({ ...HELPER, name: `Racer ${round}` });
      const read = base(entry);
      const order = round % 2 === 0 ? [left.update(entry.id, { ...read, model: 'gpt-4o' }, { base: read }), right.delete(entry.id)] : [right.delete(entry.id), left.update(entry.id, { ...read, model: 'gpt-4o' }, { base: read })];
      const settled = await Promise.allSettled(order);
      for (const result of settled) if (result.status === 'rejected') assert.equal((result.reason as AssistantsError).kind, 'not_found');
      assert.ok(!fs.existsSync(entry.file ?? ''), `round ${round}: the file stays deleted`);
    }
    assert.deepEqual(fs.readdirSync(dir), [], 'no lock or temporary file is left behind');
  });

  it('three windows in processes of their own, each adding 15 functions through its own reads: all 45 are in the file', async function () {
    this.timeout(60_000);
    const entry = await left.create(HELPER);
    const writer = path.join(__dirname, '..', '..', '..', 'support', 'assistantWriter.ts');
    const outputs = await Promise.all(['alpha', 'beta', 'gamma'].map((prefix) => new Promise<string>((resolve, reject) => {
      execFile(process.execPath, ['--import', 'tsx', writer, dir, 'helper', prefix, '15'], { timeout: 50_000 }, (error, stdout, stderr) => (error ? reject(new Error(`${error.message}\n${stderr}`)) : resolve(stdout.trim())));
    })));
    assert.deepEqual(outputs.map((out) => out.split(' ')[0]), ['done', 'done', 'done']);
    const names = (onDisk(entry).tools as { function?: { name: string } }[]).flatMap((t) => (t.function ? [t.function.name] : []));
    assert.deepEqual(names.sort(), ['alpha', 'beta', 'gamma'].flatMap((prefix) => Array.from({ length: 15 }, (_, i) => `${prefix}_${i}`)).sort());
  });

  it('a file deleted by hand while an update merges it stays deleted, and so does its folder', async () => {
    for (const [label, remove] of [
      ['the file', (file: string) => fs.rmSync(file)],
      ['its folder', (file: string) => fs.rmSync(path.dirname(file), { recursive: true })],
    ] as const) {
      const entry = await left.create(HELPER);
      const file = entry.file ?? '';
      // A window whose read is followed at once by a delete in the Explorer (or a git checkout).
      const deleting = new FileAssistantStore({ ...nodeFileSystem, readFile: async (at) => {
        const bytes = await nodeFileSystem.readFile(at);
        if (at === file) remove(file);
        return bytes;
      } }, dir, 'workspace');
      for (const options of [{ base: base(entry) }, {}]) {
        // Put back for the next try, as it was.
        fs.mkdirSync(path.dirname(file), { recursive: true });
        if (!fs.existsSync(file)) fs.writeFileSync(file, JSON.stringify(fileFromDraft(HELPER)));
        await assert.rejects(deleting.update(entry.id, { ...base(entry), model: 'gpt-4o' }, options), (error: unknown) => error instanceof AssistantsError && error.kind === 'not_found', label);
        assert.ok(!fs.existsSync(file), `${label} deleted meanwhile: the file is not brought back`);
        if (label === 'its folder') assert.ok(!fs.existsSync(path.dirname(file)), 'nor its folder');
        assert.deepEqual(fs.existsSync(path.dirname(file)) ? fs.readdirSync(path.dirname(file)).filter((name) => name.endsWith('.tmp')) : [], [], 'no temporary file is left');
      }
    }
  });

  it("a save that takes no lock (an editor, a checkout) between an update's read and its write is merged with, not written over", async () => {
    for (const [label, handEdit, check] of [
      ['instructions typed in an editor', (text: string) => text.replace('Be brief.', 'Be brief, and cite files.'), (f: Record<string, unknown>) => assert.equal(f.instructions, 'Be brief, and cite files.')],
      ['a metadata key from a checkout', (text: string) => JSON.stringify({ ...JSON.parse(text), metadata: { team: 'docs', owner: 'ana' } }, null, 2), (f: Record<string, unknown>) => assert.deepEqual(f.metadata, { team: 'docs', owner: 'ana' })],
    ] as const) {
      const entry = await left.create({ ...HELPER, name: `Hand ${label}` });
      const file = entry.file ?? '';
      let saves = 0;
      // The other program writes the file once, right after the update read it and before its rename.
      const racing = new FileAssistantStore({ ...nodeFileSystem, writeFileAtomic: async (at, data, options) => {
        if (at === file && saves++ === 0) fs.writeFileSync(file, handEdit(fs.readFileSync(file, 'utf8')));
        return nodeFileSystem.writeFileAtomic(at, data, options);
      } }, dir, 'workspace');
      await racing.update(entry.id, { ...base(entry), model: 'gpt-4o' }, { base: base(entry) });
      const saved = onDisk(entry);
      check(saved);
      assert.equal(saved.model, 'gpt-4o', `${label}: the update is there too`);
      assert.equal(saves, 2, `${label}: merged again once`);
    }
  });

  it("a pipe put in the file's place between an update's read and its write is not read, and the update does not hang", async () => {
    const entry = await left.create(HELPER);
    const file = entry.file ?? '';
    let swaps = 0;
    const racing = new FileAssistantStore({ ...nodeFileSystem, writeFileAtomic: async (at, data, options) => {
      if (at === file && swaps++ === 0) {
        fs.rmSync(file);
        execFileSync('mkfifo', [file]);
      }
      return nodeFileSystem.writeFileAtomic(at, data, options);
    } }, dir, 'workspace');
    // The next read of the pipe is refused (the store never opens one), so the update ends in a sentence.
    await assert.rejects(racing.update(entry.id, { ...base(entry), model: 'gpt-4o' }, { base: base(entry) }), /helper\.assistant\.json was not saved: a pipe, socket or device is in its place now\. Put the assistant's file back, then try again\./);
    assert.ok(fs.statSync(file).isFIFO(), 'the pipe is left as it is, not written over');
  });

  it("a folder or a loop of links put in the file's place while an update merges it ends in a sentence naming no local path", async () => {
    for (const [label, swap, said] of [
      ['a folder', (file: string) => fs.mkdirSync(file), /was not saved: a folder is in its place now/],
      ['a loop of links', (file: string) => fs.symlinkSync(path.basename(file), file), /was not saved: it leads through a loop of links now/],
    ] as const) {
      const entry = await left.create({ ...HELPER, name: `Swapped ${label}` });
      const file = entry.file ?? '';
      const swapping = new FileAssistantStore({ ...nodeFileSystem, readFile: async (at, options) => {
        const bytes = await nodeFileSystem.readFile(at, options);
        if (at === file) {
          fs.rmSync(file);
          swap(file);
        }
        return bytes;
      } }, dir, 'workspace');
      await assert.rejects(swapping.update(entry.id, { ...base(entry), model: 'gpt-4o' }, { base: base(entry) }), (error: unknown) => {
        assert.ok(error instanceof AssistantsError, label);
        assert.match(error.message, said, label);
        assert.ok(!error.message.includes(dir), `${label}: no local path`);
        return true;
      });
    }
  });

  it("the assistants folder swapped for a link out of the workspace while an update writes is not written through", async () => {
    const root = path.dirname(dir);
    const outside = fs.realpathSync(fs.mkdtempSync(path.join(os.tmpdir(), 'assistant-writes-outside-')));
    try {
      const confined = new FileAssistantStore(nodeFileSystem, dir, 'workspace', new Confinement(nodeWorkspaceFs, () => ({ roots: [root], deny: [], exclude: [] })));
      const entry = await confined.create(HELPER);
      const file = entry.file ?? '';
      let swapped = false;
      // Moved out, a link left in its place, right as the write begins (after the store looked at the folder).
      const racing = new FileAssistantStore({ ...nodeFileSystem, writeFileAtomic: async (at, data, options) => {
        if (at === file && !swapped) {
          swapped = true;
          fs.renameSync(dir, path.join(outside, 'moved'));
          fs.symlinkSync(path.join(outside, 'moved'), dir);
        }
        return nodeFileSystem.writeFileAtomic(at, data, options);
      } }, dir, 'workspace', new Confinement(nodeWorkspaceFs, () => ({ roots: [root], deny: [], exclude: [] })));
      await assert.rejects(racing.update(entry.id, { ...base(entry), model: 'gpt-4o' }, { base: base(entry) }), (error: unknown) => error instanceof AssistantsError && /outside the workspace/.test(error.message));
      const moved = JSON.parse(fs.readFileSync(path.join(outside, 'moved', path.basename(file)), 'utf8')) as { model?: string };
      assert.equal(moved.model, 'gpt-4.1', 'the file moved out keeps what it held');
      assert.deepEqual(fs.readdirSync(path.join(outside, 'moved')).filter((name) => name.endsWith('.tmp')), [], 'no temporary file is left there');
    } finally {
      fs.rmSync(outside, { recursive: true, force: true });
    }
  });

  it('an update gives up in a sentence when another program writes the file every time, and leaves its write in place', async () => {
    const entry = await left.create(HELPER);
    const file = entry.file ?? '';
    let round = 0;
    const racing = new FileAssistantStore({ ...nodeFileSystem, writeFileAtomic: async (at, data, options) => {
      if (at === file) fs.writeFileSync(file, fs.readFileSync(file, 'utf8').replace(/"instructions": "[^"]*"/, `"instructions": "Edit ${++round}"`));
      return nodeFileSystem.writeFileAtomic(at, data, options);
    } }, dir, 'workspace');
    await assert.rejects(racing.update(entry.id, { ...base(entry), model: 'gpt-4o' }, { base: base(entry) }), (error: unknown) => error instanceof AssistantsError && error.kind === 'file_system' && /another program changed it 3 times/.test(error.message));
    assert.deepEqual([onDisk(entry).instructions, onDisk(entry).model], ['Edit 3', 'gpt-4.1'], "the other program's last write stays");
    assert.deepEqual(fs.readdirSync(dir).filter((name) => name.endsWith('.tmp')), [], 'no temporary file is left');
  });

  it('a lock left by a writer that died is taken over; a live one is waited for', async () => {
    const entry = await left.create(HELPER);
    const read = base(entry);
    const lock = `${entry.file}.lock`;
    fs.writeFileSync(lock, JSON.stringify({ pid: 2 ** 22 + 17, at: Date.now() }));
    await left.update(entry.id, { ...read, model: 'gpt-4o' }, { base: read });
    assert.equal(onDisk(entry).model, 'gpt-4o');
    assert.ok(!fs.existsSync(lock));

    // A live process (the parent of this one) holds it for 300 ms.
    fs.writeFileSync(lock, JSON.stringify({ pid: process.ppid, at: Date.now() }));
    const started = Date.now();
    setTimeout(() => fs.rmSync(lock, { force: true }), 300);
    await left.update(entry.id, { ...read, model: 'o3' });
    assert.ok(Date.now() - started >= 250, 'the update waited for the lock');
    assert.equal(onDisk(entry).model, 'o3');
  });

  it('a lock a writer left with no JSON, or none at all, is taken over once it is stale', async () => {
    const entry = await left.create(HELPER);
    const read = base(entry);
    const lock = `${entry.file}.lock`;
    for (const [i, content] of ['', '{"pid":', 'not json', '{"pid":"1"}'].entries()) {
      fs.writeFileSync(lock, content);
      const old = new Date(Date.now() - 60_000);
      fs.utimesSync(lock, old, old);
      await left.update(entry.id, { ...read, instructions: `Round ${i}.` });
      assert.equal(onDisk(entry).instructions, `Round ${i}.`, JSON.stringify(content));
      assert.ok(!fs.existsSync(lock));
    }
  });

  it('a lock name a repository holds as a folder, a link or a pipe refuses the update at once, in a sentence, and is left as it is', async function () {
    const entry = await left.create(HELPER);
    const read = base(entry);
    const lock = `${entry.file}.lock`;
    const kinds: Array<[string, () => void, RegExp]> = [
      ['a folder', () => fs.mkdirSync(lock), /is a folder/],
      ['a dangling link', () => fs.symlinkSync(path.join(dir, 'nowhere'), lock), /is a link/],
      ['a link to a live lock elsewhere', () => (fs.writeFileSync(path.join(dir, 'elsewhere.json'), JSON.stringify({ pid: process.pid, at: Date.now() })), fs.symlinkSync(path.join(dir, 'elsewhere.json'), lock)), /is a link/],
      ...(process.platform === 'win32' ? [] : ([['a pipe', () => execFileSync('mkfifo', [lock]), /is a pipe/]] as Array<[string, () => void, RegExp]>)),
    ];
    for (const [label, make, said] of kinds) {
      make();
      const started = Date.now();
      await assert.rejects(left.update(entry.id, { ...read, model: 'gpt-4o' }, { base: read }), (error: unknown) => {
        assert.ok(error instanceof AssistantsError && error.kind === 'file_system', `${label}: ${String(error)}`);
        assert.match(error.message, said, label);
        assert.match(error.message, /Remove helper\.assistant\.json\.lock, then save again\./, label);
        assert.doesNotMatch(error.message, new RegExp(dir.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')), `${label}: no local path`);
        return true;
      });
      assert.ok(Date.now() - started < 2_000, `${label}: refused at once, not after waiting`);
      assert.equal(onDisk(entry).model, 'gpt-4.1', `${label}: the file is unchanged`);
      assert.ok(fs.lstatSync(lock), `${label}: left as it is`);
      fs.rmSync(lock, { recursive: true, force: true });
    }
    await left.update(entry.id, { ...read, model: 'gpt-4o' }, { base: read });
    assert.equal(onDisk(entry).model, 'gpt-4o', 'once removed, the update goes');
  });
});
