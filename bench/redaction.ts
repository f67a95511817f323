/**
 * What masking the key costs (`npm run bench:redaction`): every string a backend hands up passes
 * through `redact`, and every streamed delta through the `StreamRedactor`. Prints, for a 1 MB
 * answer, 10,000 short strings (a polled snapshot of a long thread) and 20,000 streamed deltas, the
 * median time of the rounds with their range, beside a plain scan of the same text for the whole
 * key (the floor: the least any masking must do). Asserts nothing.
 */
import { createHash } from 'node:crypto';
import * as os from 'node:os';
import { redact } from '../src/backends/errorMapping';
import { StreamRedactor } from '../src/backends/streamRedaction';

/**
 * A key of a project key's length (164 characters) whose body is as varied as a real one's, made
 * here from hashes of a fixed phrase: nothing in the repository reads like a key.
 */
const KEY = `sk-proj-FAKE${Array.from({ length: 5 }, (_, i) => createHash('sha256').update(`not a real key ${i}`).digest('base64url').replace(/[-_]/g, '')).join('')}`.slice(0, 164);
const ROUNDS = Number(process.argv[process.argv.indexOf('--rounds') + 1]) || 7;

function timed(work: () => void): { median: number; min: number; max: number } {
  const times: number[] = [];
  for (let round = 0; round < ROUNDS; round++) {
    const started = performance.now();
    work();
    times.push(performance.now() - started);
  }
  times.sort((a, b) => a - b);
  return { median: times[Math.floor(times.length / 2)], min: times[0], max: times[times.length - 1] };
}

const show = (label: string, { median, min, max }: { median: number; min: number; max: number }) =>
  console.log(`${label.padEnd(44)}${median.toFixed(1).padStart(8)} ms  (${min.toFixed(1)}–${max.toFixed(1)})`);

const answer = 'The quick brown fox jumps over the lazy dog, 0123456789 times. '.repeat(16_000);
const strings = Array.from({ length: 10_000 }, (_, i) => `step ${i}: read src/file${i}.ts (42 lines)`);
const deltas = Array.from({ length: 20_000 }, (_, i) => (i % 7 === 0 ? 'sk' : i % 5 === 0 ? KEY.slice(12, 16) : 'word '));

console.log(`key of ${KEY.length} characters, ${ROUNDS} rounds, load average ${os.loadavg()[0].toFixed(1)}\n`);
show(`answer of ${(answer.length / 1e6).toFixed(1)} MB: the whole key only (floor)`, timed(() => void answer.split(KEY).join('***')));
show(`answer of ${(answer.length / 1e6).toFixed(1)} MB: redact`, timed(() => void redact(answer, { apiKey: KEY })));
show('10,000 short strings: redact', timed(() => void strings.forEach((s) => redact(s, { apiKey: KEY }))));
show('20,000 deltas through the stream redactor', timed(() => {
  const redactor = new StreamRedactor({ apiKey: KEY });
  for (const text of deltas) redactor.pass({ type: 'message.delta', messageId: 'm', index: 0, text });
  redactor.flush();
}));
