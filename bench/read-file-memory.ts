/**
 * Memory to serve `read_file` on a 200 MB text file: the way it was before (whole file read, then
 * decoded) beside the bounded read the function uses now, each in a fresh Node process so one
 * does not warm the other. Peak resident memory above the process's baseline, sampled every 5 ms.
 *
 * Run with `npx tsx bench/read-file-memory.ts`. Prints; asserts nothing.
 */
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { readFileFunction } from '../src/core/functions/fileFunctions';
import { Confinement, DEFAULT_DENY } from '../src/core/workspace/confinement';
import { nodeWorkspaceFs } from '../src/core/workspace/fileSystem';

const SIZE_MB = 200;

async function measure(mode: string, root: string): Promise<void> {
  const file = path.join(root, 'big.log');
  const baseline = process.memoryUsage().rss;
  let peak = baseline;
  const timer = setInterval(() => (peak = Math.max(peak, process.memoryUsage().rss)), 5);
  const started = performance.now();
  let chars: number;
  if (mode === 'whole') {
    const text = new TextDecoder().decode(await fs.promises.readFile(file));
    chars = text.slice(0, 100_000).length;
  } else {
    const confinement = new Confinement(nodeWorkspaceFs, () => ({ roots: [root], deny: DEFAULT_DENY, exclude: [] }));
    const fn = readFileFunction({ fs: nodeWorkspaceFs, confinement });
    const run = { id: 'r', threadId: 't', assistantId: 'a', status: 'requires_action' as const, createdAt: 0 };
    const args = mode === 'tail' ? { path: 'big.log', startLine: 2_000_000, endLine: 2_000_050 } : { path: 'big.log' };
    chars = (await fn.handle(args, { signal: new AbortController().signal, run })).length;
  }
  peak = Math.max(peak, process.memoryUsage().rss);
  clearInterval(timer);
  console.log(JSON.stringify({ mode, peakMb: (peak - baseline) / 2 ** 20, ms: performance.now() - started, chars }));
}

async function main(): Promise<void> {
  const [mode, root] = process.argv.slice(2);
  if (mode) return measure(mode, root);
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'read-bench-'));
  try {
    const line = `${'log line with some text '.repeat(4).slice(0, 99)}\n`;
    const block = line.repeat(10_000);
    const fd = fs.openSync(path.join(dir, 'big.log'), 'w');
    for (let written = 0; written < SIZE_MB * 2 ** 20; written += block.length) fs.writeSync(fd, block);
    fs.closeSync(fd);
    console.log(`read_file on a ${SIZE_MB} MB file: peak resident memory above baseline`);
    console.log('mode                         peak MB    time ms   chars sent');
    const labels: Record<string, string> = { whole: 'before: read whole, decode', head: 'now: whole file (cut)', tail: 'now: lines 2,000,000-050' };
    for (const mode of ['whole', 'head', 'tail']) {
      const out = execFileSync(process.execPath, [...process.execArgv, __filename, mode, dir], { encoding: 'utf8' });
      const result = JSON.parse(out.trim().split('\n').pop() ?? '{}') as { peakMb: number; ms: number; chars: number };
      console.log(`${labels[mode].padEnd(28)} ${result.peakMb.toFixed(1).padStart(8)} ${result.ms.toFixed(0).padStart(10)} ${String(result.chars).padStart(12)}`);
    }
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

void main();
