/**
 * What bench/webview/renderingFaultsProbe.ts sets on the page, as bench/renderingFaults.ts calls it
 * (no DOM types here: both sides import it).
 */
import type { Annotation } from '../../src/common/model';

/** What an answer shows: its text, its links, the TeX handed to KaTeX, its code, and each text block's tag and direction. */
export interface DrawnAnswer {
  text: string;
  hrefs: string[];
  tex: string[];
  code: string[];
  /** Emphasis inside a formula, or a formula inside code (neither may be). */
  mangled: number;
  blocks: { tag: string; dir: string | null }[];
  /** What the XSS suite's check finds in the answer's markup. */
  violations: string[];
}

/** What a run shows of one terminal text: as a code-interpreter log, as a function output, as a call's error. */
export interface DrawnRun {
  shown: string[];
  /** Elements drawn in a colour. */
  coloured: number;
  violations: string[];
}

/** The page's functions: the probe's, and the XSS suite's drawing of every path server text takes (what it would run or load). */
export interface RenderingFaultsPage {
  renderingFaults: {
    answer(text: string, annotations: Annotation[]): DrawnAnswer;
    /** The answer streamed: drawn at each of `ends` in turn, redrawn in place; what shows at each. */
    streamed(text: string, ends: number[]): DrawnAnswer[];
    question(text: string): { text: string; dir: string | null };
    run(text: string): DrawnRun;
  };
  renderPaths(payload: string): Promise<string[]>;
}
