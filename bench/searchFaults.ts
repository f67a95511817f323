/**
 * The search kind of the fault suite (faults.ts): `search_text` over lines too long to search whole
 * (data on one line, minified code), on a real workspace folder through the real file functions.
 * An input is clear when what the model reads does not pass for "none in the file": the text past
 * the cut is named as a line searched in part, and a match in the part searched is still found.
 */
import { functionFixture } from '../test/unit/core/functions/fixture';

interface SearchInput {
  label: string;
  files: Record<string, string>;
  args: { query: string; isRegex?: boolean; glob?: string };
  /** Each must be in the output for the input to be clear. */
  expect: RegExp[];
}

export interface SearchTried {
  label: string;
  clear: boolean;
  ms: number;
  note: string;
}

const CUT = /searched only in (its|their) first [\d,]+: /;

const inputs: SearchInput[] = [
  { label: 'a 3 MB JSON line, the text past the cut', files: { 'data.json': `[${'1,'.repeat(1_500_000)}"needle"]\n` }, args: { query: 'needle' }, expect: [CUT, /data\.json:1\./] },
  { label: 'a 3 MB line, a regular expression past the cut', files: { 'dump.sql': `INSERT ${'(1),'.repeat(750_000)}('needle-42');\n` }, args: { query: 'needle-\\d+', isRegex: true }, expect: [CUT, /dump\.sql:1\./] },
  { label: 'minified code, a match in the part searched and one past it', files: { 'app.min.js': `needle;${'x'.repeat(20_000)}\n${'y'.repeat(20_000)}needle\n` }, args: { query: 'needle' }, expect: [/^app\.min\.js:1: needle;/, /app\.min\.js:2\./] },
  { label: 'forty long lines in eight files, named five and counted', files: Object.fromEntries(Array.from({ length: 8 }, (_, i) => [`vendor/v${i}.js`, `${`${'z'.repeat(12_000)}needle\n`.repeat(5)}`])), args: { query: 'needle', glob: 'vendor/*.js' }, expect: [/^No matches for "needle"\./, /40 lines without a match/, /and 35 more\./] },
  { label: 'a CRLF file of lines just at the limit (none cut)', files: { 'wide.csv': `${'w'.repeat(10_000)}\r\n`.repeat(3) }, args: { query: 'needle' }, expect: [/^No matches for "needle"\.$/] },
];

/** Runs each input in a workspace of its own; resolves to what each did. Prints nothing. */
export async function trySearchKind(): Promise<SearchTried[]> {
  const tried: SearchTried[] = [];
  for (const input of inputs) {
    const ws = functionFixture();
    try {
      for (const [name, text] of Object.entries(input.files)) ws.write(name, text);
      const started = performance.now();
      const output = await ws.call('search_text', input.args);
      const ms = Math.round(performance.now() - started);
      const missed = input.expect.filter((pattern) => !pattern.test(output));
      tried.push({ label: input.label, clear: missed.length === 0, ms, note: missed.length ? `missing ${missed.join(', ')} in: ${output.slice(0, 300)}` : (output.split('\n').at(-1) ?? '').slice(0, 160) });
    } finally {
      ws.dispose();
    }
  }
  return tried;
}
