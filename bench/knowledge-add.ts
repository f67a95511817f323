/**
 * What adding many files to an assistant's knowledge costs (`npm run bench:knowledge`): 200 small
 * workspace files added to a fresh vector store on the fake server, then the same 200 added again
 * unchanged, then a sync after every one of them was edited. Prints, for each, the requests sent by endpoint, the wall time (median of the rounds,
 * with their range) and the bytes uploaded.
 *
 * Options: `--files N` (default 200), `--rounds N` (default 3), and `--baseline <checkout>` to
 * measure another checkout of the project (e.g. the previous release) in the same rounds, taking
 * turns with this one, on the same fake server code.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type * as OpenAIClient from '../src/backends/openaiClient';
import type * as Responses from '../src/backends/responses/responsesBackend';
import type * as FileSystem from '../src/core/workspace/fileSystem';
import type * as Mark from '../src/core/knowledge/mark';
import type * as Sync from '../src/core/knowledge/sync';
import { FakeOpenAIServer } from '../test/fakes/fakeServer';
import { memoryUploadIndex } from '../test/fakes/memoryUploadIndex';

function option(name: string): string | undefined {
  const at = process.argv.indexOf(`--${name}`);
  return at >= 0 ? process.argv[at + 1] : undefined;
}

/** The modules of one checkout the bench drives. */
interface Checkout {
  label: string;
  sync: typeof Sync;
  client: typeof OpenAIClient;
  responses: typeof Responses;
  fileSystem: typeof FileSystem;
  /** Absent in checkouts from before knowledge marked its files (their sync's locate gave a path or undefined). */
  mark?: typeof Mark;
}

async function load(label: string, root: string): Promise<Checkout> {
  const from = (relative: string) => import(path.join(root, relative));
  return {
    label,
    sync: await from('src/core/knowledge/sync.ts'),
    client: await from('src/backends/openaiClient.ts'),
    responses: await from('src/backends/responses/responsesBackend.ts'),
    // The FileSystem port moved to src/core/workspace/; a baseline from before the move has it at src/core/.
    fileSystem: await from(fs.existsSync(path.join(root, 'src/core/workspace/fileSystem.ts')) ? 'src/core/workspace/fileSystem.ts' : 'src/core/fileSystem.ts'),
    mark: fs.existsSync(path.join(root, 'src/core/knowledge/mark.ts')) ? await from('src/core/knowledge/mark.ts') : undefined,
  };
}

interface Pass {
  requests: number;
  ms: number;
  uploadedBytes: number;
  byEndpoint: Map<string, number>;
  outcome: string;
}

/** One round: a fresh server and store, the files added, added again unchanged, then all edited and synced. */
async function round(checkout: Checkout, sources: Array<{ absolute: string; path: string }>): Promise<Pass[]> {
  const fake = await FakeOpenAIServer.start();
  try {
    const backend = new checkout.responses.ResponsesBackend(checkout.client.createOpenAIClient({ protocol: 'responses', apiKey: 'sk-bench', baseUrl: fake.baseUrl }));
    const mark = checkout.mark?.KnowledgeMark.fromApiKey('sk-bench');
    // An older checkout takes no mark, and its locate answers with the path or undefined.
    const deps = { files: backend, fs: checkout.fileSystem.nodeWorkspaceFs, index: memoryUploadIndex(), provider: 'fake', ...(mark ? { mark } : {}) } as Sync.KnowledgeDeps;
    const store = await backend.createVectorStore('Bench knowledge', []);
    const pass = async (sync = false): Promise<Pass> => {
      const before = fake.requests.length;
      const started = performance.now();
      const byPath = new Map(sources.map((s) => [s.path, s.absolute]));
      const locate = async (p: string): Promise<Sync.Located> => {
        const absolute = byPath.get(p);
        if (!mark) return absolute as unknown as Sync.Located;
        return absolute === undefined ? { gone: true } : { absolute };
      };
      const report = sync ? await checkout.sync.syncKnowledge(store.id, locate, deps, async () => true) : await checkout.sync.addToKnowledge(store.id, sources, deps);
      const ms = performance.now() - started;
      const sent = fake.requests.slice(before);
      const byEndpoint = new Map<string, number>();
      for (const r of sent) {
        const key = `${r.method} ${r.path.replace(/\/(vs_|file-|vsfb_)[0-9a-z]+/g, '/{id}')}`;
        byEndpoint.set(key, (byEndpoint.get(key) ?? 0) + 1);
      }
      const outcome = `added ${report.added.length}, replaced ${report.replaced.length}, unchanged ${report.unchanged.length}, refused ${report.refused.length}`;
      return { requests: sent.length, ms, uploadedBytes: report.uploadedBytes, byEndpoint, outcome };
    };
    const passes = [await pass(), await pass()];
    for (const source of sources) fs.appendFileSync(source.absolute, 'Edited.\n');
    passes.push(await pass(true));
    for (const source of sources) fs.writeFileSync(source.absolute, fs.readFileSync(source.absolute, 'utf8').replace('Edited.\n', ''));
    return passes;
  } finally {
    await fake.close();
  }
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)];
}

async function main(): Promise<void> {
  const count = Number(option('files') ?? 200);
  const rounds = Number(option('rounds') ?? 3);
  const baseline = option('baseline');
  const checkouts = [...(baseline ? [await load(`baseline (${path.resolve(baseline)})`, path.resolve(baseline))] : []), await load('this checkout', path.resolve(__dirname, '..'))];
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'bench-knowledge-'));
  try {
    const sources = Array.from({ length: count }, (_, i) => {
      const relative = `docs/note-${String(i).padStart(3, '0')}.md`;
      const absolute = path.join(dir, relative);
      fs.mkdirSync(path.dirname(absolute), { recursive: true });
      fs.writeFileSync(absolute, `# Note ${i}\n${'Some text to index. '.repeat(20)}\n`);
      return { absolute, path: relative };
    });
    const results = new Map<Checkout, Pass[][]>(checkouts.map((c) => [c, []]));
    for (let r = 0; r < rounds; r++) for (const checkout of checkouts) results.get(checkout)?.push(await round(checkout, sources));
    console.log(`${count} files, ${rounds} rounds, load average ${os.loadavg()[0].toFixed(2)}`);
    for (const [checkout, passes] of results) {
      console.log(`\n== ${checkout.label}`);
      for (const [i, what] of [`add ${count} new files`, `add the same ${count} again, unchanged`, `sync after editing all ${count}`].entries()) {
        const all = passes.map((p) => p[i]);
        const times = all.map((p) => p.ms);
        const last = all[all.length - 1];
        console.log(`${what}: ${last.requests} requests, ${median(times).toFixed(0)} ms (${Math.min(...times).toFixed(0)}–${Math.max(...times).toFixed(0)}), ${last.uploadedBytes} bytes uploaded (${last.outcome})`);
        for (const [key, n] of [...last.byEndpoint.entries()].sort()) console.log(`  ${String(n).padStart(4)}  ${key}`);
      }
    }
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
