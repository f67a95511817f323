/**
 * Text with ANSI escape sequences (code-interpreter logs, function and MCP outputs) as DOM nodes,
 * as a terminal would show it (`terminal.ts`): colours and styles become spans in the theme's
 * terminal colours, every other sequence is played or dropped, and no escape character is ever
 * shown. `anser` parses the colour sequences; the nodes are built here, text as text nodes, so
 * nothing the text says becomes markup.
 */
import Anser from 'anser';
import { h } from '../ui/dom';
import { hasTerminalControls, terminalText } from '../../src/common/terminal';

/** Text past this many characters is shown with its sequences removed, not coloured (one span per colour change would be too many nodes). */
const MAX_COLOURED = 100_000;

/** Any escape sequence left once `terminalText` has read the text: control sequences, character-set and keypad switches, a lone ESC. */
// eslint-disable-next-line no-control-regex -- escape sequences are exactly what this removes
const ANY_ESCAPE = /\u001b(?:\[[0-?]*[ -/]*[@-~]?|[ -/]*[0-~]?)/g;

/** `text` as a terminal would show it, without colours. */
export function stripAnsi(text: string): string {
  return terminalText(text, text.length <= MAX_COLOURED).replace(ANY_ESCAPE, '');
}

/**
 * `text` as nodes, as a terminal would show it (`terminalText`: a progress bar where it ended,
 * lines redrawn): a text node for plain runs and a span for each coloured or styled run, with
 * `ansi-fg-<colour>` / `ansi-bg-<colour>` classes for the 16 named colours (the stylesheet maps
 * them to `--vscode-terminal-ansi*`), a colour set through the CSS object model for 256-colour and
 * true-colour codes, and `ansi-bold`, `ansi-dim`, `ansi-italic`, `ansi-underline`, `ansi-strike`,
 * `ansi-hidden` for the styles.
 */
export function ansiNodes(text: string): Node[] {
  if (!hasTerminalControls(text)) return [document.createTextNode(text)];
  const cut = colouredEnd(text);
  const head = terminalText(text.slice(0, cut));
  const nodes: Node[] = [];
  for (const chunk of Anser.ansiToJson(head, { use_classes: true, remove_empty: true })) {
    const content = chunk.content.replace(ANY_ESCAPE, '');
    if (!content) continue;
    const classes = [...colourClasses('fg', chunk.fg), ...colourClasses('bg', chunk.bg), ...chunk.decorations.flatMap((d) => (DECORATIONS[d] ? [DECORATIONS[d]] : []))];
    const fg = rgbOf(chunk.fg, chunk.fg_truecolor);
    const bg = rgbOf(chunk.bg, chunk.bg_truecolor);
    if (!classes.length && !fg && !bg) {
      nodes.push(document.createTextNode(content));
      continue;
    }
    const span = h('span', { className: classes.join(' '), text: content });
    // Through the CSS object model, which the page's policy allows (a style attribute it does not).
    if (fg) span.style.color = fg;
    if (bg) span.style.backgroundColor = bg;
    nodes.push(span);
  }
  if (cut < text.length) nodes.push(document.createTextNode(stripAnsi(text.slice(cut))));
  return nodes;
}

/** Where the coloured part of `text` ends: at a line's end near `MAX_COLOURED`, or before the escape there, never inside a sequence. */
function colouredEnd(text: string): number {
  if (text.length <= MAX_COLOURED) return text.length;
  const line = text.lastIndexOf('\n', MAX_COLOURED - 1);
  if (line > MAX_COLOURED - 4096) return line + 1;
  const escape = Math.max(text.lastIndexOf('\u001b', MAX_COLOURED - 1), text.lastIndexOf('\u009b', MAX_COLOURED - 1));
  return escape > MAX_COLOURED - 4096 ? escape : MAX_COLOURED;
}

const DECORATIONS: Partial<Record<string, string>> = {
  bold: 'ansi-bold',
  dim: 'ansi-dim',
  italic: 'ansi-italic',
  underline: 'ansi-underline',
  strikethrough: 'ansi-strike',
  hidden: 'ansi-hidden',
};

const NAMED = /^ansi-((?:bright-)?(?:black|red|green|yellow|blue|magenta|cyan|white))$/;

/** The class of a named colour `anser` reported (`ansi-red`, `ansi-bright-blue`), for `fg` or `bg`. */
function colourClasses(layer: 'fg' | 'bg', colour: string | null): string[] {
  const name = colour ? NAMED.exec(colour)?.[1] : undefined;
  return name ? [`ansi-${layer}-${name}`] : [];
}

/** A 256-colour (`ansi-palette-N`, N from 16) or true colour (`r, g, b`) as `rgb(...)`; undefined for anything else. */
function rgbOf(colour: string | null, truecolor: string | null): string | undefined {
  if (colour === 'ansi-truecolor' && truecolor) {
    const parts = /^(\d{1,3}), ?(\d{1,3}), ?(\d{1,3})$/.exec(truecolor)?.slice(1).map(Number);
    return parts && parts.every((p) => p <= 255) ? `rgb(${parts.join(', ')})` : undefined;
  }
  const index = colour ? /^ansi-palette-(\d{1,3})$/.exec(colour)?.[1] : undefined;
  return index === undefined ? undefined : paletteRgb(Number(index));
}

/** xterm's 256 colours past the 16 named ones: a 6×6×6 cube, then 24 greys. */
function paletteRgb(index: number): string | undefined {
  if (index < 16 || index > 255) return undefined;
  if (index >= 232) {
    const grey = 8 + (index - 232) * 10;
    return `rgb(${grey}, ${grey}, ${grey})`;
  }
  const cube = index - 16;
  const level = (n: number) => (n === 0 ? 0 : 55 + n * 40);
  return `rgb(${level(Math.floor(cube / 36))}, ${level(Math.floor(cube / 6) % 6)}, ${level(cube % 6)})`;
}
