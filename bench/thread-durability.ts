/**
 * The thread store's durability suite (`npm run bench:threads`): writers killed at random points
 * while saving, every known corruption, two processes and two store objects writing at once. Prints,
 * per scenario and in total, threads acknowledged / lost / hidden from the list / unreadable / set
 * aside / temp files left.
 *
 * Options: `--kills N` (default 50), `--threads N` per concurrent writer (default 20), and
 * `--baseline <checkout>` to measure another checkout of the project first (e.g. the previous
 * release), printed before this one's figures.
 */
import * as path from 'node:path';
import { formatDurability, runDurability } from '../test/support/threadDurability';

function option(name: string): string | undefined {
  const at = process.argv.indexOf(`--${name}`);
  return at >= 0 ? process.argv[at + 1] : undefined;
}

async function main(): Promise<void> {
  const kills = Number(option('kills') ?? 50);
  const concurrentThreads = Number(option('threads') ?? 20);
  const baseline = option('baseline');
  const log = (line: string) => console.log(line);
  const targets: [string, string | undefined][] = baseline ? [[`baseline (${path.resolve(baseline)})`, baseline], ['this checkout', undefined]] : [['this checkout', undefined]];
  for (const [label, root] of targets) {
    const started = Date.now();
    console.log(`\n== ${label}`);
    const rows = await runDurability({ kills, concurrentThreads, root, log });
    console.log(formatDurability(rows));
    console.log(`(${((Date.now() - started) / 1000).toFixed(1)} s)`);
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
