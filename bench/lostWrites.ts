/**
 * The lost-write kind of the hostile-input bench (`bench/hostile.ts`): writers racing on one
 * assistant file, through the real store, service, knowledge and form code. Each input counts the
 * writes that are gone afterwards: an edit overwritten by another, a create that replaced a file,
 * a deleted file brought back, a second vector store nobody records, a hand edit the form undid.
 * A change both sides made to the same field must come back as a conflict, not be counted lost.
 */
import { execFile, execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { createOpenAIClient } from '../src/backends/openaiClient';
import { ResponsesBackend } from '../src/backends/responses/responsesBackend';
import { formFromFile } from '../src/host/assistants/assistantForm';
import { fileFromFormChange, mergeIntoDocument } from '../src/host/assistants/assistantForm';
import { parseAssistantFile, serializeAssistantFile } from '../src/core/assistants/assistantFile';
import type { AssistantFile } from '../src/core/assistants/assistantFile';
import { AssistantService, draftOf } from '../src/core/assistants/assistantService';
import type { AssistantEntry } from '../src/core/assistants/assistantStore';
import { FileAssistantStore } from '../src/core/assistants/assistantStore';
import { AssistantConflictError } from '../src/core/errors';
import { nodeFileSystem } from '../src/core/workspace/fileSystem';
import { ensureKnowledgeStore } from '../src/core/knowledge/assistantKnowledge';
import type { AssistantDraft } from '../src/common/model';
import { FakeOpenAIServer } from '../test/fakes/fakeServer';
import type { Input, Kind } from './hostileKind';

const HELPER: AssistantDraft = { name: 'Helper', model: 'gpt-4.1', instructions: 'Be brief.', tools: [{ type: 'code_interpreter' }], metadata: { team: 'docs' } };

/** Two stores over one folder: two windows of one workspace. */
function windows(root: string): [FileAssistantStore, FileAssistantStore, string] {
  const dir = path.join(root, '.assistants');
  return [new FileAssistantStore(nodeFileSystem, dir, 'workspace'), new FileAssistantStore(nodeFileSystem, dir, 'workspace'), dir];
}

const onDisk = (entry: AssistantEntry) => JSON.parse(fs.readFileSync(entry.file ?? '', 'utf8')) as AssistantFile;
const baseOf = (entry: AssistantEntry): AssistantDraft => draftOf(entry) ?? HELPER;

type Edit = [string, (d: AssistantDraft) => AssistantDraft, (f: AssistantFile) => boolean];

const EDITS: Edit[] = [
  ['instructions', (d) => ({ ...d, instructions: 'Be thorough.' }), (f) => f.instructions === 'Be thorough.'],
  ['model', (d) => ({ ...d, model: 'gpt-4o' }), (f) => f.model === 'gpt-4o'],
  ['a vector store', (d) => ({ ...d, tools: [...d.tools, { type: 'file_search' }], toolResources: { fileSearch: { vectorStoreIds: ['vs_1'] } } }), (f) => f.tool_resources?.file_search?.vector_store_ids?.[0] === 'vs_1'],
  ['a metadata key', (d) => ({ ...d, metadata: { ...d.metadata, owner: 'ana' } }), (f) => f.metadata?.owner === 'ana'],
  ['a function', (d) => ({ ...d, tools: [...d.tools, { type: 'function', function: { name: 'lookup' } }] }), (f) => f.tools?.some((t) => t.type === 'function' && t.function.name === 'lookup') === true],
];

/** Two windows change different fields from one read, at the same moment. */
function differentFields(one: Edit, other: Edit): Input {
  return {
    label: `two windows at once: ${one[0]} / ${other[0]}`,
    async run({ ws }) {
      const [left, right] = windows(ws.root);
      const entry = await left.create(HELPER);
      const base = baseOf(entry);
      await Promise.all([left.update(entry.id, one[1](base), { base }), right.update(entry.id, other[1](base), { base })]);
      const file = onDisk(entry);
      return { lostWrites: [one, other].filter(([, , kept]) => !kept(file)).length };
    },
  };
}

/** Two windows change the same field: the second must hear of it; a silent overwrite is a lost write. */
function sameField(label: string, one: (d: AssistantDraft) => AssistantDraft, other: (d: AssistantDraft) => AssistantDraft): Input {
  return {
    label: `two windows, same field: ${label}`,
    async run({ ws }) {
      const [left, right] = windows(ws.root);
      const entry = await left.create(HELPER);
      const base = baseOf(entry);
      await left.update(entry.id, one(base), { base });
      const first = fs.readFileSync(entry.file ?? '', 'utf8');
      try {
        await right.update(entry.id, other(base), { base });
      } catch (error) {
        if (error instanceof AssistantConflictError) return { lostWrites: fs.readFileSync(entry.file ?? '', 'utf8') === first ? 0 : 1 };
        throw error;
      }
      return { lostWrites: 1, note: 'overwritten without a word' };
    },
  };
}

/** Windows in processes of their own, each adding `count` functions one update at a time. */
function processes(windowsCount: number, count: number): Input {
  return {
    label: `${windowsCount} windows in their own processes, ${count} updates each`,
    async run({ ws }) {
      const [store, , dir] = windows(ws.root);
      const entry = await store.create(HELPER);
      const writer = path.join(__dirname, '..', 'test', 'support', 'assistantWriter.ts');
      const prefixes = Array.from({ length: windowsCount }, (_, i) => `w${i}`);
      await Promise.all(
        prefixes.map(
          (prefix) =>
            new Promise<void>((resolve, reject) =>
              execFile(process.execPath, ['--import', 'tsx', writer, dir, 'helper', prefix, String(count)], { timeout: 60_000 }, (error, _out, stderr) => (error ? reject(new Error(stderr || error.message)) : resolve())),
            ),
        ),
      );
      const names = new Set((onDisk(entry).tools ?? []).flatMap((t) => (t.type === 'function' ? [t.function.name] : [])));
      // Starting processes takes seconds and is no hang (`lateMs` 0); the loop's blockage still counts.
      return { lostWrites: prefixes.flatMap((prefix) => Array.from({ length: count }, (_, i) => `${prefix}_${i}`)).filter((name) => !names.has(name)).length, lateMs: 0 };
    },
  };
}

function creates(count: number): Input {
  return {
    label: `${count} creates of one name at once`,
    async run({ ws }) {
      const [left, right, dir] = windows(ws.root);
      await Promise.all(Array.from({ length: count }, (_, i) => (i % 2 ? right : left).create({ ...HELPER, instructions: `Window ${i}` })));
      const kept = new Set(fs.readdirSync(dir).filter((name) => name.endsWith('.assistant.json')).map((name) => (JSON.parse(fs.readFileSync(path.join(dir, name), 'utf8')) as AssistantFile).instructions));
      return { lostWrites: Array.from({ length: count }, (_, i) => `Window ${i}`).filter((text) => !kept.has(text)).length };
    },
  };
}

const updateRacingDelete: Input = {
  label: 'update racing a delete, 20 rounds (a file brought back counts)',
  async run({ ws }) {
    const [left, right] = windows(ws.root);
    let back = 0;
    for (let round = 0; round < 20; round++) {
      const entry = await left.create({ ...HELPER, name: `Racer ${round}` });
      const base = baseOf(entry);
      const update = left.update(entry.id, { ...base, model: 'gpt-4o' }, { base });
      await Promise.allSettled(round % 2 ? [update, right.delete(entry.id)] : [right.delete(entry.id), update]);
      if (fs.existsSync(entry.file ?? '')) back++;
    }
    // Rounds one after another, each waiting its turn at the lock: long by design, no hang.
    return { lostWrites: back, lateMs: 0 };
  },
};

/**
 * 100 updates, each raced by another program that takes no lock (the Explorer, an editor's save, a
 * checkout): `interfere` acts on the file at a moment within the update's first 6 ms, and `lost`
 * says, once the update ended, whether a write was lost.
 */
function handRace(label: string, name: string, interfere: (file: string, round: number) => void, lost: (file: string, round: number) => boolean): Input {
  return {
    label,
    async run({ ws }) {
      const [store] = windows(ws.root);
      let count = 0;
      for (let round = 0; round < 100; round++) {
        const entry = await store.create({ ...HELPER, name: `${name} ${round}` });
        const file = entry.file ?? '';
        const base = baseOf(entry);
        const update = store.update(entry.id, { ...base, model: 'gpt-4o' }, { base }).catch(() => undefined);
        await new Promise((resolve) => setTimeout(resolve, (round % 7) * 0.9));
        interfere(file, round);
        await update;
        if (lost(file, round)) count++;
      }
      return { lostWrites: count, lateMs: 0 };
    },
  };
}

/** An update while the file is deleted by hand: a file brought back counts. */
const updateRacingHandDelete = handRace(
  'update racing a hand delete, 100 rounds (a file brought back counts)',
  'Hand',
  (file) => fs.rmSync(file, { force: true }),
  (file) => fs.existsSync(file),
);

/**
 * An update while another program saves another field: the save written over counts (the update
 * itself may be written over by the save, read before the update's rename and written after: that
 * program's doing).
 */
const updateRacingHandSave = handRace(
  'update racing a hand save of another field, 100 rounds (the hand save written over counts)',
  'Saved',
  (file, round) => fs.writeFileSync(file, JSON.stringify({ ...(JSON.parse(fs.readFileSync(file, 'utf8')) as object), metadata: { owner: `hand ${round}` } }, null, 2)),
  (file, round) => (JSON.parse(fs.readFileSync(file, 'utf8')) as { metadata?: { owner?: string } }).metadata?.owner !== `hand ${round}`,
);

function knowledgeTwice(adds: number): Input {
  return {
    label: `Add to Knowledge ${adds} times at once, in two windows (an orphan store counts)`,
    async run({ ws }) {
      const fake = await FakeOpenAIServer.start();
      try {
        const files = new ResponsesBackend(createOpenAIClient({ protocol: 'responses', apiKey: 'sk-bench-key', baseUrl: fake.baseUrl }));
        const [left, right] = windows(ws.root);
        const services = [left, right].map((store) => {
          const values = new Map<string, unknown>();
          return new AssistantService({
            stores: async () => [store],
            state: { get: <T>(key: string) => values.get(key) as T | undefined, update: async (key, value) => void values.set(key, value) },
            firstAssistant: () => HELPER,
            firstLocation: 'workspace',
            runAdditions: () => ({ tools: [] }),
          });
        });
        const entry = await services[0].create('workspace', HELPER);
        // Every window read the assistant before any recorded a store.
        const stale = await Promise.all(services.map((service) => service.get(entry.id)));
        await Promise.all(Array.from({ length: adds }, (_, i) => ensureKnowledgeStore(services[i % 2], files, stale[i % 2])));
        const recorded = onDisk(entry).tool_resources?.file_search?.vector_store_ids ?? [];
        return { lostWrites: fake.store.vectorStores.size - 1 + (recorded.length === 1 ? 0 : 1) };
      } finally {
        await fake.close();
      }
    },
  };
}

/** The form sends its whole form, made before an edit in the text (or another window's save) changed `field`. */
function formOnStaleBase(label: string, change: (f: AssistantFile) => void, kept: (f: AssistantFile) => boolean): Input {
  return {
    label: `form change over a text edit of ${label}`,
    async run() {
      const file = parseAssistantFile(serializeAssistantFile({ version: 1, name: 'Helper', model: 'gpt-4.1', instructions: 'Be brief.', tools: [] })).file as AssistantFile;
      const shown = formFromFile(file);
      const edited = structuredClone(file);
      change(edited);
      const typed = { ...structuredClone(shown), temperature: 0.7 };
      const written = fileFromFormChange(typed, shown, serializeAssistantFile(edited)).file;
      return { lostWrites: (written && kept(written) ? 0 : 1) + (written?.temperature === 0.7 ? 0 : 1) };
    },
  };
}

const diskUnderUnsavedEdits: Input = {
  label: 'another window saves while the form has unsaved edits',
  async run() {
    const saved = serializeAssistantFile({ version: 1, name: 'Helper', model: 'gpt-4.1', instructions: 'Be brief.', tools: [] });
    const unsaved = serializeAssistantFile({ version: 1, name: 'Helper', model: 'gpt-4.1', instructions: 'Unsaved.', tools: [] });
    const disk = serializeAssistantFile({ version: 1, name: 'Helper', description: 'From the other window', model: 'o3', instructions: 'Be brief.', tools: [] });
    const merged = parseAssistantFile(mergeIntoDocument(saved, unsaved, disk)?.text ?? '').file;
    return { lostWrites: [merged?.instructions === 'Unsaved.', merged?.description === 'From the other window', merged?.model === 'o3'].filter((ok) => !ok).length };
  },
};

/**
 * What a window finds at `<file>.lock` when it saves: a lock a dead window left (no JSON, or its
 * pid), or a name a repository took (a folder, a dangling link, a pipe). *Lost*: a lock left by a
 * writer that is gone kept the change out; *broken*: a planted name was not refused at once with
 * the sentence naming it (a wait of 5 s that says another window is saving, a raw error).
 */
function lockLeft(label: string, plant: (lock: string) => void, planted: boolean): Input {
  return {
    label: `${planted ? 'lock name taken by' : 'lock left by'} ${label}`,
    async run({ ws }) {
      const [store] = windows(ws.root);
      const entry = await store.create(HELPER);
      const lock = `${entry.file ?? ''}.lock`;
      plant(lock);
      const started = performance.now();
      try {
        await store.update(entry.id, { ...baseOf(entry), model: 'gpt-4o' }, { base: baseOf(entry) });
        return planted ? { broken: true, note: 'written through a planted lock name' } : { lostWrites: onDisk(entry).model === 'gpt-4o' ? 0 : 1 };
      } catch (error) {
        const said = error instanceof Error ? error.message : String(error);
        if (!planted) return { lostWrites: 1, note: said.slice(0, 60) };
        return { broken: !/\.lock is .*Remove .*\.lock, then save again\./.test(said) || performance.now() - started > 2_000, note: said.slice(0, 60) };
      }
    },
  };
}

const aged = (lock: string, content: string) => {
  fs.writeFileSync(lock, content);
  const old = new Date(Date.now() - 60_000);
  fs.utimesSync(lock, old, old);
};

/** Locks left behind and lock names a repository holds, as the bench lists them. */
export const LOCK_KIND: Kind = {
  name: 'lock file left behind or planted',
  inputs: [
    lockLeft('a dead window (its pid)', (lock) => fs.writeFileSync(lock, JSON.stringify({ pid: 2 ** 22 + 17, at: Date.now() })), false),
    lockLeft('a window killed mid-write (empty, stale)', (lock) => aged(lock, ''), false),
    lockLeft('a window of another version (no JSON, stale)', (lock) => aged(lock, 'locked'), false),
    lockLeft('a repository: a folder', (lock) => fs.mkdirSync(lock), true),
    lockLeft('a repository: a dangling link', (lock) => fs.symlinkSync(path.join(path.dirname(lock), 'nowhere'), lock), true),
    lockLeft('a repository: a link to a file', (lock) => (fs.writeFileSync(`${lock}.target`, '{}'), fs.symlinkSync(`${lock}.target`, lock)), true),
    ...(process.platform === 'win32' ? [] : [lockLeft('a repository: a pipe', (lock) => execFileSync('mkfifo', [lock]), true)]),
  ],
};

/** The kind as the bench lists it. */
export const LOST_WRITE_KIND: Kind = {
  name: 'racing writers of an assistant file',
  inputs: [
    differentFields(EDITS[0], EDITS[1]),
    differentFields(EDITS[2], EDITS[3]),
    differentFields(EDITS[4], EDITS[0]),
    sameField('instructions', (d) => ({ ...d, instructions: 'Left.' }), (d) => ({ ...d, instructions: 'Right.' })),
    sameField('the vector store', (d) => ({ ...d, toolResources: { fileSearch: { vectorStoreIds: ['vs_l'] } } }), (d) => ({ ...d, toolResources: { fileSearch: { vectorStoreIds: ['vs_r'] } } })),
    processes(3, 10),
    creates(2),
    creates(8),
    updateRacingDelete,
    updateRacingHandDelete,
    updateRacingHandSave,
    knowledgeTwice(2),
    knowledgeTwice(5),
    formOnStaleBase('the model', (f) => (f.model = 'o3'), (f) => f.model === 'o3'),
    formOnStaleBase('metadata and a vector store', (f) => ((f.metadata = { owner: 'ana' }), (f.tool_resources = { file_search: { vector_store_ids: ['vs_1'] } })), (f) => f.metadata?.owner === 'ana' && f.tool_resources?.file_search?.vector_store_ids?.[0] === 'vs_1'),
    diskUnderUnsavedEdits,
  ],
};
