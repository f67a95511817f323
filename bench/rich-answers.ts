/**
 * What models write, streamed into the chat view in Chromium: a long answer with formulas,
 * citation markers, right-to-left paragraphs, tables and code; one list of a hundred formulas (a
 * single Markdown block, so every delta redraws all of it); an answer with three hundred citation
 * markers in and around links. Each is streamed in deltas of 24 characters into one message, drawn
 * in place as the transcript draws it; a delta's draw and the layout it forces are timed apart.
 * Then a run whose logs (100,000 characters of coloured progress bars and test output) and function
 * outputs are terminal text is drawn once, and answers a hostile model could write (thousands of
 * math openings never closed, thousands of formulas), each whole.
 *
 * Beside the current renderer runs a baseline checkout's (default: the one before display math,
 * terminal text and the kept formulas), bundled with the same probe (bench/webview/richProbe.ts);
 * the rounds alternate between them and the medians of the per-round figures are printed with the
 * machine's load. `npm run bench:rich` (`-- --rounds N`, `-- --baseline <commit>`). Prints; asserts nothing.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { bundleForBrowser, launchChromium, openPage } from '../test/support/browserBundle';
import { repoRoot } from '../test/support/codeServer';
import { extractBaseline } from './baselineTree';

/** The last commit before display math rules, terminal text and the kept formulas. */
const BASELINE = '2eb0b7b';
const DELTA_CHARS = 24;

interface Renderer {
  name: string;
  script: string;
  css: string;
}

/** The probe's functions on the page (bench/webview/richProbe.ts). */
interface RichPage {
  richBench: {
    stream(text: string, deltaChars: number): { draw: number[]; layout: number[] };
    drawRun(logs: string, outputs: string[]): number;
    drawAnswer(text: string): number;
  };
}

interface Figures {
  p50: number;
  p95: number;
  max: number;
  layoutP95: number;
  total: number;
}

const marker = (n: number): string => `\uE200cite\uE202turn0search${n}\uE201`;

/** Sections of formulas (inline, display, in tables), citation markers, Arabic paragraphs, code. */
function longAnswer(sections: number): string {
  const out: string[] = [];
  for (let i = 0; i < sections; i++) {
    out.push(`## القسم ${i} — Section ${i}`);
    out.push(`The energy $E_${i} = m c^2 + \\frac{1}{2} m v_${i}^2$ and \\(\\alpha_${i} + \\beta\\) grow, costing $5 and $10 per run.${marker(i)} Also $$\\sum_{k=1}^{n} k^${i % 5} = \\frac{n(n+1)}{2}$$ and $\\sqrt{x_${i}}$ here.`);
    out.push(`هذه فقرة باللغة العربية تشرح \`code_${i}\` والمعادلة $x^${i}$ بالتفصيل.${marker(i + 100)}`);
    out.push(`$$\n\\begin{aligned} a_${i} &= b + c \\\\ d &= \\frac{e}{f} \\end{aligned}\n$$`);
    out.push(`| n | value | note |\n|---|---|---|\n| ${i} | $n^2 = ${i * i}$ | [link](https://example.com/${i}${marker(i + 200)}) |\n| ${i + 1} | \\(\\log ${i + 1}\\) | عربي |`);
    out.push('```python\nprint("$HOME \\\\(x\\\\)", ' + i + ')\n```');
  }
  return out.join('\n\n');
}

/** One numbered list of `items` items, each with two formulas, Arabic and a citation marker. */
function formulaList(items: number): string {
  return Array.from({ length: items }, (_, i) => `${i + 1}. Term $a_{${i}} = \\frac{${i}}{n+${i}}$ and \\(\\sqrt{${i}}\\) — بند ${i}${marker(i)}`).join('\n');
}

/** Paragraphs with `count` markers: after words, inside link destinations and titles, autolinks and references. */
function citedAnswer(count: number): string {
  const out: string[] = [];
  for (let i = 0; i < count; i += 5) {
    out.push(
      `Claim ${i}.${marker(i)} See [the guide](https://example.com/g/${i}${marker(i + 1)} "Guide ${i}${marker(i + 2)}") and <https://example.com/a/${i}${marker(i + 3)}>, or [the docs${marker(i + 4)}].`,
    );
  }
  out.push('[the docs]: https://example.com/docs');
  return out.join('\n\n');
}

/** About `chars` characters of a log: coloured progress bars redrawn by carriage returns, then test results. */
function terminalLog(chars: number): string {
  let log = '';
  for (let i = 0; log.length < chars; i++) {
    for (let p = 0; p <= 100; p += 10) log += `\u001b[32m${'#'.repeat(p / 10).padEnd(10)}\u001b[0m ${p}% file_${i}.whl\r`;
    log += `\n\u001b[0;32mPASSED\u001b[0m test_${i} \u001b[38;5;244m(${i} ms)\u001b[0m\n\u001b[1A\u001b[2K\u001b[0;31mFAILED\u001b[0m test_${i}\n`;
  }
  return log;
}

/** Answers a hostile model could write, each drawn once, whole. */
const HOSTILE = [
  { name: '20,000 `\\(` never closed, one paragraph', text: 'a \\( '.repeat(20_000) },
  { name: '10,000 lines opening `\\[`, never closed', text: '\\[\nx\n'.repeat(10_000) },
  { name: '10,000 formulas `$$ x $$`, one paragraph', text: 'a $$ x '.repeat(20_000) },
  { name: '3,000 different formulas', text: Array.from({ length: 3000 }, (_, i) => `$x_{${i}}$`).join(' ') },
];

const INPUTS = [
  { name: `long answer (${longAnswer(20).length.toLocaleString('en-US')} chars: math, citations, RTL, tables, code)`, text: longAnswer(20) },
  { name: `one list of 100 formulas (${formulaList(100).length.toLocaleString('en-US')} chars, one block)`, text: formulaList(100) },
  { name: `300 citation markers in and around links (${citedAnswer(300).length.toLocaleString('en-US')} chars)`, text: citedAnswer(300) },
];

async function main(): Promise<void> {
  const rounds = Number(argument('--rounds') ?? 3);
  const renderers = [await baselineRenderer(argument('--baseline') ?? BASELINE), await currentRenderer()];
  const load = os.loadavg()[0];
  const browser: Browser = await launchChromium();
  const katex = fs.readFileSync(path.join(repoRoot, 'node_modules', 'katex', 'dist', 'katex.min.css'), 'utf8');
  const streamed = new Map<string, Figures[]>();
  const runs = new Map<string, number[]>();
  const hostile = new Map<string, number[]>();
  try {
    for (let round = 0; round < rounds; round++) {
      for (const renderer of round % 2 === 0 ? renderers : [...renderers].reverse()) {
        const page: Page = await openPage(browser, renderer.script, { styles: [renderer.css, katex], width: 300, height: 900 });
        for (const input of INPUTS) {
          const times = await page.evaluate(([text, delta]) => (globalThis as unknown as RichPage).richBench.stream(text, delta), [input.text, DELTA_CHARS] as const);
          push(streamed, `${renderer.name}\u0000${input.name}`, figures(times.draw, times.layout));
        }
        for (const input of HOSTILE) push(hostile, `${renderer.name}\u0000${input.name}`, await page.evaluate((text) => (globalThis as unknown as RichPage).richBench.drawAnswer(text), input.text));
        const logs = terminalLog(100_000);
        const outputs = Array.from({ length: 20 }, (_, i) => `\u001b[32m${i} passed\u001b[0m\rcollecting\r\u001b[2K\u001b[31m1 failed\u001b[0m`);
        push(runs, renderer.name, await page.evaluate(([l, o]) => (globalThis as unknown as RichPage).richBench.drawRun(l, o), [logs, outputs] as const));
        await page.close();
      }
    }
  } finally {
    await browser.close();
  }
  console.log(`Streamed in deltas of ${DELTA_CHARS} characters at 300 px; ms per delta (draw: parse, sanitize, KaTeX, patch; layout: what it forces), medians over ${rounds} rounds. ${os.cpus().length} CPUs, load average ${load.toFixed(1)} at start, ${os.loadavg()[0].toFixed(1)} at end.`);
  const row = (cells: string[]): void => console.log(cells.map((c, i) => (i < 2 ? c.padEnd(i === 0 ? 66 : 18) : c.padStart(9))).join(''));
  row(['input', 'renderer', 'p50', 'p95', 'max', 'layout95', 'all']);
  for (const input of INPUTS) {
    renderers.forEach((renderer, n) => {
      const all = streamed.get(`${renderer.name}\u0000${input.name}`) ?? [];
      const m = (key: keyof Figures): string => median(all.map((f) => f[key])).toFixed(key === 'total' ? 0 : 1);
      row([n === 0 ? input.name : '', renderer.name, m('p50'), m('p95'), m('max'), m('layoutP95'), m('total')]);
    });
  }
  renderers.forEach((renderer, n) => row([n === 0 ? 'a run (100,000-char progress log, 20 outputs) drawn once' : '', renderer.name, '', '', '', '', median(runs.get(renderer.name) ?? []).toFixed(0)]));
  for (const input of HOSTILE) {
    renderers.forEach((renderer, n) => row([n === 0 ? `${input.name}, drawn once` : '', renderer.name, '', '', '', '', median(hostile.get(`${renderer.name}\u0000${input.name}`) ?? []).toFixed(0)]));
  }
}

function figures(draw: number[], layout: number[]): Figures {
  return { p50: percentile(draw, 50), p95: percentile(draw, 95), max: Math.max(...draw), layoutP95: percentile(layout, 95), total: draw.reduce((a, b) => a + b, 0) + layout.reduce((a, b) => a + b, 0) };
}

function percentile(values: number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)] ?? 0;
}

function median(values: number[]): number {
  return percentile(values, 50);
}

function push<T>(map: Map<string, T[]>, key: string, value: T): void {
  map.set(key, [...(map.get(key) ?? []), value]);
}

function argument(name: string): string | undefined {
  const at = process.argv.indexOf(name);
  return at < 0 ? undefined : process.argv[at + 1];
}

/** The baseline's webview, src and media from git, with the current probe beside them, bundled like the current ones. */
async function baselineRenderer(commit: string): Promise<Renderer> {
  const dir = path.join(repoRoot, 'out', 'bench-rich', commit.slice(0, 12));
  extractBaseline(commit, dir);
  fs.mkdirSync(path.join(dir, 'bench', 'webview'), { recursive: true });
  fs.copyFileSync(path.join(__dirname, 'webview', 'richProbe.ts'), path.join(dir, 'bench', 'webview', 'richProbe.ts'));
  return { name: `baseline ${commit.slice(0, 7)}`, script: await bundleForBrowser(path.join(dir, 'bench', 'webview', 'richProbe.ts'), repoRoot), css: fs.readFileSync(path.join(dir, 'media', 'chat.css'), 'utf8') };
}

async function currentRenderer(): Promise<Renderer> {
  return { name: 'current', script: await bundleForBrowser(path.join(__dirname, 'webview', 'richProbe.ts'), repoRoot), css: fs.readFileSync(path.join(repoRoot, 'media', 'chat.css'), 'utf8') };
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
