/**
 * The thread store's durability suite: processes killed (SIGKILL) at random points while saving,
 * every corruption of the thread files and index we know of, two processes and two store objects in
 * one process writing at once. Every store operation runs in a child process bundled with the store
 * under test (`threadWriter.ts`), so the same suite measures this checkout or another one (the
 * baseline). The files themselves are inspected directly.
 *
 * For each scenario: threads acknowledged (saves that resolved), lost (acknowledged, but gone or
 * missing acknowledged messages), hidden from the list (a thread file that loads but is not listed,
 * acknowledged or not: a save cut short was on screen already), unreadable (a thread file left in
 * place that does not load), set aside (files in `corrupt/`), temp files left (after the next
 * window's store started).
 */
import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as esbuild from 'esbuild';
import type { CheckResult } from './threadWriter';

export interface DurabilityOptions {
  /** Writers killed mid-save, one after another, on one folder. */
  kills: number;
  /** Threads each of two processes saves at once (and each of two stores in one process). */
  concurrentThreads: number;
  /** Plant every known corruption too (default true; the unit tests cover them one by one in process). */
  corruptions?: boolean;
  /** The checkout whose store is measured (default: this one). */
  root?: string;
  /** Progress lines. */
  log?: (line: string) => void;
}

export interface DurabilityRow {
  scenario: string;
  acknowledged: number;
  lost: number;
  hidden: number;
  unreadable: number;
  setAside: number;
  tempLeft: number;
  /** Anything else worth reading, e.g. that listing threw. */
  note?: string;
}

const REPO = path.resolve(__dirname, '..', '..');

/** Bundles the writer with the store of `root` into one file Node starts fast. */
async function bundleWriter(root: string, outDir: string): Promise<string> {
  const outfile = path.join(outDir, 'writer.cjs');
  // A baseline from before src/core was sorted into rooms has its modules at src/core/.
  const module = (now: string, before: string) => path.join(root, fs.existsSync(path.join(root, `${now}.ts`)) ? now : before);
  const contents = [
    `import * as store from ${JSON.stringify(module('src/core/threads/threadStore', 'src/core/threadStore'))};`,
    `import * as files from ${JSON.stringify(module('src/core/workspace/fileSystem', 'src/core/fileSystem'))};`,
    `import { runWriter } from ${JSON.stringify(path.join(REPO, 'test', 'support', 'threadWriter'))};`,
    'runWriter({ ThreadStore: store.ThreadStore, nodeFileSystem: files.nodeFileSystem }, process.argv.slice(2)).then(',
    '  () => process.exit(0),',
    '  (error) => { console.error(error); process.exit(1); });',
  ].join('\n');
  await esbuild.build({ stdin: { contents, resolveDir: REPO, loader: 'ts' }, bundle: true, platform: 'node', format: 'cjs', outfile, logLevel: 'silent' });
  return outfile;
}

interface Child {
  acks: Map<string, number>;
  lines: string[];
  exited: Promise<void>;
  kill(): void;
  /** Resolves when the child printed `line`. */
  waitFor(line: string): Promise<void>;
}

function start(writer: string, args: string[]): Child {
  const child = spawn(process.execPath, [writer, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
  const acks = new Map<string, number>();
  const lines: string[] = [];
  const waiting = new Map<string, () => void>();
  let buffered = '';
  child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
    buffered += chunk;
    const parts = buffered.split('\n');
    buffered = parts.pop() ?? '';
    for (const line of parts) {
      lines.push(line);
      const ack = /^ack (\S+) (\d+)$/.exec(line);
      if (ack) acks.set(ack[1], Number(ack[2]));
      waiting.get(line)?.();
    }
  });
  let stderr = '';
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
  const exited = new Promise<void>((resolve, reject) =>
    child.on('exit', (code, signal) => (code === 0 || signal === 'SIGKILL' ? resolve() : reject(new Error(`writer ${args[0]} exited ${code ?? signal}: ${stderr.slice(0, 500)}`)))),
  );
  return {
    acks,
    lines,
    exited,
    kill: () => child.kill('SIGKILL'),
    waitFor: (line) => (lines.includes(line) ? Promise.resolve() : new Promise<void>((resolve) => waiting.set(line, resolve))),
  };
}

async function run(writer: string, args: string[]): Promise<Child> {
  const child = start(writer, args);
  await child.exited;
  return child;
}

async function check(writer: string, dir: string, ids: string[]): Promise<CheckResult> {
  const child = await run(writer, ['check', dir, ...ids]);
  return JSON.parse(child.lines[child.lines.length - 1]) as CheckResult;
}

function tempFiles(dir: string): number {
  return (fs.readdirSync(dir, { recursive: true }) as string[]).filter((name) => name.endsWith('.tmp')).length;
}

function setAsideFiles(dir: string): number {
  const corrupt = path.join(dir, 'corrupt');
  return fs.existsSync(corrupt) ? fs.readdirSync(corrupt).length : 0;
}

/** Checks the folder as the next window would and counts what became of the acknowledged threads. */
async function measure(writer: string, dir: string, scenario: string, acks: Map<string, number>, planted: string[] = []): Promise<DurabilityRow> {
  // Threads on disk count too: a thread whose save was cut short was on screen already.
  const onDisk = fs.readdirSync(dir).flatMap((name) => /^thread-(.+)\.json$/.exec(name)?.[1] ?? []).filter((id) => !planted.includes(`thread-${id}.json`));
  const ids = [...new Set([...acks.keys(), ...onDisk])];
  const result = await check(writer, dir, ids);
  const listed = new Set(result.listed);
  const row: DurabilityRow = { scenario, acknowledged: acks.size, lost: 0, hidden: 0, unreadable: 0, setAside: setAsideFiles(dir), tempLeft: tempFiles(dir) };
  for (const id of ids) {
    const loaded = result.loaded[id];
    const acknowledged = acks.get(id);
    const file = path.join(dir, `thread-${id}.json`);
    if (loaded === null || loaded === undefined) {
      if (fs.existsSync(file)) row.unreadable++;
      else if (acknowledged !== undefined) row.lost++;
    } else if (acknowledged !== undefined && loaded < acknowledged) row.lost++;
    else if (!listed.has(id)) row.hidden++;
  }
  // Corrupt files the suite planted count as unreadable while they stay where the list looks (a folder is no file: it does not count).
  row.unreadable += planted.filter((name) => fs.existsSync(path.join(dir, name)) && fs.statSync(path.join(dir, name)).isFile()).length;
  if (result.error) row.note = `listing threw (${result.error})`;
  return row;
}

async function kills(writer: string, dir: string, options: DurabilityOptions): Promise<DurabilityRow> {
  const acks = new Map<string, number>();
  for (let round = 0; round < options.kills; round++) {
    const child = start(writer, ['stream', dir, `k${round}`]);
    await child.waitFor('ready');
    await new Promise((resolve) => setTimeout(resolve, Math.random() * 250));
    child.kill();
    await child.exited;
    for (const [id, messages] of child.acks) acks.set(id, messages);
    if ((round + 1) % 10 === 0) options.log?.(`  ${round + 1} of ${options.kills} writers killed`);
  }
  const tempsBeforeRestart = tempFiles(dir);
  const row = await measure(writer, dir, `${options.kills} writers killed mid-save`, acks);
  row.note = `${tempsBeforeRestart} temp files before the next start`;
  return row;
}

async function twoProcesses(writer: string, dir: string, count: number): Promise<DurabilityRow> {
  const startAt = String(Date.now() + 1500);
  const children = await Promise.all(['p0', 'p1'].map((prefix) => run(writer, ['batch', dir, prefix, String(count), '1', startAt])));
  const acks = new Map(children.flatMap((child) => [...child.acks]));
  return measure(writer, dir, `two processes, ${count} threads each`, acks);
}

async function twoStores(writer: string, dir: string, count: number): Promise<DurabilityRow> {
  const child = await run(writer, ['batch', dir, 'o', String(count), '2']);
  return measure(writer, dir, `two stores in one process, ${count} each`, child.acks);
}

/** A corruption planted among three good threads: what the folder holds, by file name. */
interface Corruption {
  name: string;
  plant(dir: string): string[];
}

const writeFile = (dir: string, name: string, content: string | Buffer) => (fs.writeFileSync(path.join(dir, name), content), [name]);

const CORRUPTIONS: Corruption[] = [
  { name: 'index {"version":1,"threads":[null]}', plant: (dir) => (writeFile(dir, 'index.json', '{"version":1,"threads":[null]}'), []) },
  { name: 'index entry with id ../x', plant: (dir) => (writeFile(dir, 'index.json', '{"version":1,"threads":[{"id":"../x","title":"x","createdAt":1,"updatedAt":99,"backend":"responses"}]}'), []) },
  { name: 'index that is not JSON', plant: (dir) => (writeFile(dir, 'index.json', '{"version":1,"thr'), []) },
  { name: 'thread file holding {}', plant: (dir) => writeFile(dir, 'thread-bad.json', '{}') },
  { name: 'thread file holding null', plant: (dir) => writeFile(dir, 'thread-bad.json', 'null') },
  { name: 'empty thread file', plant: (dir) => writeFile(dir, 'thread-bad.json', '') },
  { name: 'thread file cut short', plant: (dir) => writeFile(dir, 'thread-bad.json', '{"thread":{"id":"bad","title":"Cut') },
  { name: 'thread file of binary garbage', plant: (dir) => writeFile(dir, 'thread-bad.json', Buffer.from([0, 0xff, 0xfe, 0x80, 0x81])) },
  { name: 'thread file naming another id', plant: (dir) => writeFile(dir, 'thread-bad.json', fs.readFileSync(path.join(dir, 'thread-c-s0-0.json'))) },
  {
    name: 'folder named like a thread file, no index',
    plant: (dir) => {
      fs.mkdirSync(path.join(dir, 'thread-bad.json'));
      fs.rmSync(path.join(dir, 'index.json'));
      return ['thread-bad.json'];
    },
  },
];

async function corruption(writer: string, dir: string, corrupt: Corruption): Promise<DurabilityRow> {
  const child = await run(writer, ['batch', dir, 'c', '3', '1']);
  // A listing first, so an index exists to be damaged.
  await check(writer, dir, []);
  const planted = corrupt.plant(dir);
  return measure(writer, dir, corrupt.name, child.acks, planted);
}

/** Runs every scenario, each in a folder of its own, and returns one row per scenario. */
export async function runDurability(options: DurabilityOptions): Promise<DurabilityRow[]> {
  const scratch = fs.mkdtempSync(path.join(os.tmpdir(), 'thread-durability-'));
  try {
    const writer = await bundleWriter(path.resolve(options.root ?? REPO), scratch);
    let folders = 0;
    const folder = () => {
      const dir = path.join(scratch, `threads-${++folders}`);
      fs.mkdirSync(dir);
      return dir;
    };
    const rows: DurabilityRow[] = [];
    options.log?.(`Killing ${options.kills} writers…`);
    rows.push(await kills(writer, folder(), options));
    options.log?.('Two writers at once…');
    rows.push(await twoProcesses(writer, folder(), options.concurrentThreads));
    rows.push(await twoStores(writer, folder(), options.concurrentThreads));
    if (options.corruptions !== false) {
      options.log?.('Corruptions…');
      for (const corrupt of CORRUPTIONS) rows.push(await corruption(writer, folder(), corrupt));
    }
    return rows;
  } finally {
    fs.rmSync(scratch, { recursive: true, force: true });
  }
}

/** The rows as a table: `threads acknowledged / lost / hidden from the list / unreadable / set aside / temp files left`. */
export function formatDurability(rows: DurabilityRow[]): string {
  const header = ['scenario', 'acknowledged', 'lost', 'hidden', 'unreadable', 'set aside', 'temp left', 'note'];
  const cells = rows.map((r) => [r.scenario, r.acknowledged, r.lost, r.hidden, r.unreadable, r.setAside, r.tempLeft, r.note ?? ''].map(String));
  const widths = header.map((h, i) => Math.max(h.length, ...cells.map((c) => c[i].length)));
  const line = (c: string[]) => c.map((cell, i) => (i === 0 || i === c.length - 1 ? cell.padEnd(widths[i]) : cell.padStart(widths[i]))).join('  ').trimEnd();
  const total = (key: 'acknowledged' | 'lost' | 'hidden' | 'unreadable' | 'setAside' | 'tempLeft') => rows.reduce((sum, r) => sum + r[key], 0);
  return [
    line(header),
    ...cells.map(line),
    `threads acknowledged / lost / hidden from the list / unreadable / set aside / temp files left: ${total('acknowledged')} / ${total('lost')} / ${total('hidden')} / ${total('unreadable')} / ${total('setAside')} / ${total('tempLeft')}`,
  ].join('\n');
}
