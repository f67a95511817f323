/**
 * The rendering half of the fault suite (`npm run bench:faults`): hostile inputs of each kind of what
 * models write, from the unit tests' shared fixtures (test/unit/webview/renderingFaults.ts) and the XSS
 * corpus, each drawn whole and cut mid-stream by the chat page's own renderer in Chromium (the browser
 * the webview is; happy-dom lets DOMPurify's handlers through), through bench/webview/renderingFaultsProbe.ts.
 * Each input passes or fails named checks; "clear" is all of them passed, "kept" is none of the
 * text it had to show swallowed (not judged for XSS payloads, whose check is that nothing runs).
 */
import * as path from 'node:path';
import type { Page } from 'playwright-core';
import type { Annotation } from '../src/common/model';
import { bundleForBrowser, launchChromium, openPage } from '../test/support/browserBundle';
import { ANSI_COLOURED, ANSI_DROPPED, CUT_MARKERS, INLINE_MATH, MARKERS_IN_LINKS, MATH_IN_CODE, RIGHT_TO_LEFT, UNCLOSED_MARKERS } from '../test/unit/webview/renderingFaults';
import { XSS_PAYLOADS } from '../test/unit/webview/xss/payloads';
import type { DrawnAnswer, DrawnRun, RenderingFaultsPage } from './webview/renderingFaultsPage';

/** One input's result: each named check passed or not, and whether the text it had to keep was kept (undefined: not judged, as for a payload). */
interface Tried {
  input: string;
  checks: Record<string, boolean>;
  kept?: boolean;
}

/** A rendering kind's results: inputs tried, per check how many passed, the inputs that failed a check. */
export interface RenderingKind {
  kind: string;
  tried: Tried[];
}

// eslint-disable-next-line no-control-regex -- what must never show
const ESCAPE = /[\u001b\u009b\u009d]|\[\d+(;\d+)*m/;
const PRIVATE_MARK = /[\uE200-\uE2FF]|turn\d+(search|file|news)|\bcite\b/;
const squash = (text: string): string => text.replace(/\s+/g, ' ').trim();
const MARK_AT = (text: string): Annotation => ({ type: 'url_citation', url: 'https://example.com/src', title: 'Source', startIndex: text.indexOf('\uE200'), endIndex: text.indexOf('\uE201') + 1 });

/** Every end of `text` from `from` to `to` (streamed deltas cut there). */
const endsBetween = (from: number, to: number): number[] => Array.from({ length: Math.max(0, to - from) }, (_, i) => from + i + 1);

type Probe = Page;
const answer = (page: Probe, text: string, annotations: Annotation[] = []): Promise<DrawnAnswer> => page.evaluate(([t, a]) => (globalThis as unknown as RenderingFaultsPage).renderingFaults.answer(t, a), [text, annotations] as const);
const streamed = (page: Probe, text: string, ends: number[]): Promise<DrawnAnswer[]> => page.evaluate(([t, e]) => (globalThis as unknown as RenderingFaultsPage).renderingFaults.streamed(t, e), [text, ends] as const);
const run = (page: Probe, text: string): Promise<DrawnRun> => page.evaluate((t) => (globalThis as unknown as RenderingFaultsPage).renderingFaults.run(t), text);
const label = (text: string): string => JSON.stringify(text.length > 70 ? `${text.slice(0, 70)}…` : text);

async function citations(page: Probe): Promise<Tried[]> {
  const tried: Tried[] = [];
  const before = 'The limit is 40 items.';
  for (const cut of CUT_MARKERS) {
    const text = `${before}${cut}`;
    const [shown] = await streamed(page, text, [text.length]);
    tried.push({ input: `${label(text)} (streamed, ends there)`, checks: { 'no marker shown': !PRIVATE_MARK.test(shown.text), 'no script': !shown.violations.length }, kept: squash(shown.text) === before });
  }
  for (const [text, expected] of UNCLOSED_MARKERS) {
    const whole = await answer(page, text);
    tried.push({ input: label(text), checks: { 'no marker shown': !PRIVATE_MARK.test(whole.text), 'no script': !whole.violations.length }, kept: squash(whole.text) === squash(expected) });
    // Cut at each character of the marker as it streams in: the text before it shows, nothing of the marker.
    const at = text.indexOf('\uE200');
    const cuts = await streamed(page, text, endsBetween(at, Math.min(text.length, at + 24)));
    const leaked = cuts.filter((c) => PRIVATE_MARK.test(c.text)).length;
    tried.push({ input: `${label(text)} (streamed, cut at each of ${cuts.length} characters of the marker)`, checks: { 'no marker shown': leaked === 0, 'no script': cuts.every((c) => !c.violations.length) }, kept: cuts.every((c) => squash(c.text).startsWith(squash(text.slice(0, at)))) });
  }
  for (const [text, href] of MARKERS_IN_LINKS) {
    for (const annotations of [[MARK_AT(text)], []]) {
      const drawn = await answer(page, text, annotations);
      tried.push({
        input: `${label(text)}${annotations.length ? ' (cited)' : ''}`,
        checks: { 'no marker shown': !PRIVATE_MARK.test(drawn.text), 'link intact': drawn.hrefs.includes(href) && !/\]\(|\]:/.test(drawn.text), 'no script': !drawn.violations.length },
        kept: /the guide|the docs|example\.com\/c/.test(drawn.text),
      });
    }
    const at = text.indexOf('\uE200');
    const [cut] = await streamed(page, text, [at + 6]);
    tried.push({ input: `${label(text)} (streamed, cut in the marker)`, checks: { 'no marker shown': !PRIVATE_MARK.test(cut.text), 'no script': !cut.violations.length }, kept: squash(cut.text).length > 0 });
  }
  // eslint-disable-next-line no-control-regex -- a mark the chat's own citations use
  for (const payload of XSS_PAYLOADS.filter((p) => /[\uE200\u0002]/.test(p))) {
    const drawn = await answer(page, payload);
    const paths = await page.evaluate((p) => (globalThis as unknown as RenderingFaultsPage).renderPaths(p), payload);
    tried.push({ input: `${label(payload)} (XSS corpus, every path)`, checks: { 'no marker shown': !PRIVATE_MARK.test(drawn.text), 'no script': paths.length === 0 } });
  }
  return tried;
}

async function terminal(page: Probe): Promise<Tried[]> {
  const tried: Tried[] = [];
  for (const [text, expected] of [...ANSI_COLOURED, ...ANSI_DROPPED]) {
    const drawn = await run(page, text);
    const coloured = ANSI_COLOURED.some(([t]) => t === text);
    tried.push({
      input: `${label(text)} (log, function output, call error)`,
      checks: { 'no escape shown': drawn.shown.every((s) => !ESCAPE.test(s)), ...(coloured ? { 'drawn in colour': drawn.coloured > 0 } : {}), 'no script': !drawn.violations.length },
      kept: drawn.shown.length === 3 && drawn.shown.every((s) => s === expected),
    });
    // A log cut inside its first sequence, as a running step shows it.
    // eslint-disable-next-line no-control-regex -- a sequence's first character
    const cut = text.slice(0, text.search(/[\u001b\u009b]/) + 3);
    const part = await run(page, cut);
    tried.push({ input: `${label(cut)} (cut in a sequence)`, checks: { 'no escape shown': part.shown.every((s) => !ESCAPE.test(s)), 'no script': !part.violations.length } });
  }
  // eslint-disable-next-line no-control-regex -- a sequence's first character
  for (const payload of XSS_PAYLOADS.filter((p) => /[\u001b\u009b\u009d]/.test(p))) {
    const drawn = await run(page, payload);
    const paths = await page.evaluate((p) => (globalThis as unknown as RenderingFaultsPage).renderPaths(p), payload);
    tried.push({ input: `${label(payload)} (XSS corpus, every path)`, checks: { 'no escape shown': drawn.shown.every((s) => !ESCAPE.test(s)), 'no script': paths.length === 0 && !drawn.violations.length }, kept: drawn.shown.every((s) => s.length > 0) });
  }
  return tried;
}

const RTL_WORD = /[\u0590-\u05FF\u0600-\u06FF]+/g;

async function direction(page: Probe): Promise<Tried[]> {
  const tried: Tried[] = [];
  const everyBlockAuto = (d: DrawnAnswer): boolean => d.blocks.length > 0 && d.blocks.every((b) => b.dir === 'auto');
  const wordsKept = (source: string, shown: string): boolean => (source.match(RTL_WORD) ?? []).every((w) => shown.includes(w));
  for (const text of RIGHT_TO_LEFT) {
    const whole = await answer(page, text);
    tried.push({ input: label(text), checks: { 'every block dir="auto"': everyBlockAuto(whole), 'no script': !whole.violations.length }, kept: wordsKept(text, whole.text) });
    const ends = [Math.ceil(text.length / 3), Math.ceil((2 * text.length) / 3), text.length];
    const parts = await streamed(page, text, ends);
    tried.push({ input: `${label(text)} (streamed in thirds)`, checks: { 'every block dir="auto"': parts.every(everyBlockAuto), 'no script': parts.every((p) => !p.violations.length) }, kept: wordsKept(text, parts[2].text) });
    const question = await page.evaluate((t) => (globalThis as unknown as RenderingFaultsPage).renderingFaults.question(t), text);
    tried.push({ input: `${label(text)} (as a question)`, checks: { 'every block dir="auto"': question.dir === 'auto' }, kept: squash(question.text) === squash(text) });
  }
  return tried;
}

async function math(page: Probe): Promise<Tried[]> {
  const tried: Tried[] = [];
  for (const [text, sources] of INLINE_MATH) {
    const drawn = await answer(page, text);
    tried.push({ input: label(text), checks: { 'TeX kept as written': JSON.stringify(drawn.tex) === JSON.stringify(sources), 'no emphasis in math': drawn.mangled === 0, 'no script': !drawn.violations.length }, kept: drawn.tex.length === sources.length });
    // Cut before the formula closes: shown as written, backslashes and asterisks intact, until it does.
    const close = text.search(/\\\)|\$(?=[ .])|\\\]/);
    const cut = text.slice(0, close);
    const [part] = await streamed(page, cut, [cut.length]);
    const opened = cut.slice(cut.search(/\\\(|\$|\\\[/));
    tried.push({ input: `${label(cut)} (streamed, formula not closed yet)`, checks: { 'TeX kept as written': squash(part.text).includes(squash(opened)), 'no emphasis in math': part.mangled === 0, 'no script': !part.violations.length }, kept: squash(part.text) === squash(cut) });
  }
  for (const [text, code] of MATH_IN_CODE) {
    const drawn = await answer(page, text);
    tried.push({ input: label(text), checks: { 'code untouched': JSON.stringify(drawn.code) === JSON.stringify(code) && drawn.tex.length === 0, 'no script': !drawn.violations.length }, kept: code.every((c) => drawn.text.includes(c.trimEnd())) });
  }
  for (const payload of XSS_PAYLOADS.filter((p) => /\\\(|\\\[|\$/.test(p))) {
    const paths = await page.evaluate((p) => (globalThis as unknown as RenderingFaultsPage).renderPaths(p), payload);
    tried.push({ input: `${label(payload)} (XSS corpus, every path)`, checks: { 'no script': paths.length === 0 } });
  }
  return tried;
}

async function xss(page: Probe): Promise<Tried[]> {
  const tried: Tried[] = [];
  for (const payload of XSS_PAYLOADS) {
    const paths = await page.evaluate((p) => (globalThis as unknown as RenderingFaultsPage).renderPaths(p), payload);
    tried.push({ input: `${label(payload)}${paths.length ? `: ${[...new Set(paths)].join(', ')}` : ''}`, checks: { 'no script or javascript: URL': paths.length === 0 } });
  }
  return tried;
}

/** The rendering kinds, in the issue's order, whose name holds `only` (all when it is undefined). */
const KINDS: readonly { kind: string; tryAll: (page: Probe) => Promise<Tried[]> }[] = [
  { kind: 'citation markers cut, unclosed, in link syntax', tryAll: citations },
  { kind: 'ANSI codes in logs and function outputs', tryAll: terminal },
  { kind: 'right-to-left blocks (dir="auto")', tryAll: direction },
  { kind: 'math kept as written, code untouched', tryAll: math },
  { kind: 'script in server text (XSS corpus, every path)', tryAll: xss },
];

/** Draws every input of each rendering kind whose name holds `only` in Chromium; the kinds with their results. */
export async function tryRenderingKinds(only?: string): Promise<RenderingKind[]> {
  const kinds = KINDS.filter((k) => only === undefined || k.kind.includes(only));
  if (!kinds.length) return [];
  const browser = await launchChromium();
  try {
    const page = await openPage(browser, await bundleForBrowser(path.join(__dirname, 'webview', 'renderingFaultsProbe.ts')));
    const results: RenderingKind[] = [];
    for (const { kind, tryAll } of kinds) results.push({ kind, tried: await tryAll(page) });
    return results;
  } finally {
    await browser.close();
  }
}

/** Whether every check of `t` passed. */
export const isClear = (t: Tried): boolean => Object.values(t.checks).every(Boolean);

/** Prints a kind as the fault suite prints one: tried, clear, kept; each check's passes; each input that failed, by its words. */
export function printRenderingKind({ kind, tried }: RenderingKind): void {
  const judged = tried.filter((t) => t.kept !== undefined).length;
  console.log(`\n${kind}: ${tried.length} tried, ${tried.filter(isClear).length} clear, ${judged ? `${tried.filter((t) => t.kept).length} kept${judged < tried.length ? ` (of ${judged} whose text is judged)` : ''}` : 'text not judged'}`);
  const names = [...new Set(tried.flatMap((t) => Object.keys(t.checks)))];
  console.log(`  checks: ${names.map((name) => { const with_ = tried.filter((t) => name in t.checks); return `${name} ${with_.filter((t) => t.checks[name]).length}/${with_.length}`; }).join(', ')}`);
  for (const t of tried.filter((t) => !isClear(t) || t.kept === false)) {
    const failed = [...Object.entries(t.checks).filter(([, ok]) => !ok).map(([name]) => name), ...(t.kept === false ? ['text not kept'] : [])];
    console.log(`  FAILED ${t.input}: ${failed.join(', ')}`);
  }
}
