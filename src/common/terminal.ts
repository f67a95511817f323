/**
 * What a terminal would show of text a program wrote for one (code-interpreter logs, function and
 * MCP outputs): the same text with only its colour and style sequences (SGR) left, in the 7-bit
 * form `anser` reads. The chat draws those colours (webview/render/ansi.ts); the thread export
 * writes the text without them (src/core/text/ansi.ts). Pure: nothing of Node, the DOM or VS Code.
 *
 * - A carriage return starts its line again and a backspace steps back, so a progress bar shows
 *   where it ended (`10%\r50%\r100%` is `100%`), not every state it passed through.
 * - Cursor moves and erasures within the text (`ESC[1A`, `ESC[2K`, `ESC[K`, `ESC[J`, `ESC[5G`…)
 *   act on the lines written so far, as a terminal redraws a multi-line progress display. Moves to
 *   a place on the screen (`ESC[H`) and clearing the whole screen are dropped: a log keeps what
 *   came before.
 * - The 8-bit forms of the introducers (CSI `\u009b`, OSC `\u009d`, …) read as their `ESC` forms;
 *   string sequences (OSC hyperlinks and titles, DCS, APC, PM, SOS) are removed up to their
 *   terminator, and one that never ends stops at its line's end, taking no line after it.
 * - Colour codes with colon sub-parameters (`38:2::255:0:0`, `38:5:208`, `4:3`) become the
 *   semicolon forms.
 * - Any other control character (BEL, form feed, a C1 control) is removed.
 */

/** The 8-bit forms of escape introducers, as their 7-bit `ESC` forms. */
const C1_INTRODUCERS: Readonly<Record<string, string>> = { '\u009b': '\u001b[', '\u009d': '\u001b]', '\u0090': '\u001bP', '\u0098': '\u001bX', '\u009e': '\u001b^', '\u009f': '\u001b_', '\u009c': '\u001b\\' };
const C1_INTRODUCER = /[\u009b\u009d\u0090\u0098\u009e\u009f\u009c]/g;
/** A string sequence (OSC, DCS, SOS, PM, APC): to BEL or ST, else to its line's end, at most 4096 characters. */
// eslint-disable-next-line no-control-regex -- escape sequences are exactly what this removes
const STRING_SEQUENCE = /\u001b[\]PX^_][^\u0007\u001b\n]{0,4096}(?:\u0007|\u001b\\)?/g;
/** Control characters no terminal shows (tab, line feed, carriage return, backspace and ESC are read below). */
// eslint-disable-next-line no-control-regex -- control characters are exactly what this removes
const SILENT_CONTROL = /[\u0000-\u0007\u000B\u000C\u000E-\u001A\u001C-\u001F\u007F-\u009F]/g;
/** A control sequence with parameters that use colons. */
// eslint-disable-next-line no-control-regex -- escape sequences are exactly what this reads
const COLON_SGR = /\u001b\[([0-9;:]*:[0-9;:]*)m/g;
/** What moves the cursor or erases: a carriage return or backspace not part of a line break, or a control sequence ending in A–G, J, K or `. */
// eslint-disable-next-line no-control-regex -- control characters are exactly what this looks for
const REDRAWS = /\r(?!\n)|\u0008|\u001b\[[0-?]*[ -/]*[A-GJK`]/;
/** The pieces the line model reads: a control sequence (parameters, intermediates, final byte), another escape, a control, or text. */
// eslint-disable-next-line no-control-regex -- escape sequences are exactly what this reads
const PIECE = /\u001b\[([0-?]*)([ -/]*)([@-~]?)|\u001b[ -/]*[0-~]?|[\r\n\u0008]|[^\u001b\r\n\u0008]+/g;
/** How far right a cursor move may go: a terminal's line, not a way to write a million spaces. */
const MAX_COLUMN = 1000;
/** How long the colour state a character keeps may grow before its oldest codes are forgotten. */
const MAX_STYLE = 256;

/** A control sequence or any other escape, once string sequences are gone. */
// eslint-disable-next-line no-control-regex -- escape sequences are exactly what this removes
const CONTROL_SEQUENCE = /\u001b(?:\[[0-?]*[ -/]*[@-~]?|[ -/]*[0-~]?)/g;

/**
 * `text` without escape sequences of any form, and nothing else changed (no line model): for text
 * that is no terminal's, such as an answer into which a model copied a coloured log.
 */
export function withoutEscapes(text: string): string {
  return text.replace(C1_INTRODUCER, (c) => C1_INTRODUCERS[c]).replace(STRING_SEQUENCE, '').replace(CONTROL_SEQUENCE, '');
}

/** Whether `text` holds anything a terminal acts on beyond printing: an escape, a C1 control, a backspace, a lone carriage return. */
export function hasTerminalControls(text: string): boolean {
  // eslint-disable-next-line no-control-regex -- control characters are exactly what this looks for
  return /[\u001b\u0080-\u009f\u0008]|\r(?!\n)/.test(text);
}

/**
 * `text` as a terminal would show it, colour sequences kept (see the module's comment). With
 * `redraw` false (for text too long to play through the line model) a carriage return only drops
 * what came before it on its line, and cursor moves are dropped.
 */
export function terminalText(text: string, redraw = true): string {
  const flat = text
    .replace(/\r\n/g, '\n')
    .replace(C1_INTRODUCER, (c) => C1_INTRODUCERS[c])
    .replace(STRING_SEQUENCE, '')
    .replace(SILENT_CONTROL, '')
    .replace(COLON_SGR, (_, params: string) => `\u001b[${semicolonParams(params)}m`);
  if (!REDRAWS.test(flat)) return flat;
  if (redraw) return redrawn(flat);
  return flat
    .split('\n')
    .map((line) => line.slice(line.lastIndexOf('\r') + 1).replaceAll('\u0008', ''))
    .join('\n');
}

/** SGR parameters with colon sub-parameters (ITU T.416) in the semicolon form terminals also take. */
function semicolonParams(params: string): string {
  return params
    .split(';')
    .flatMap((param) => {
      if (!param.includes(':')) return [param];
      const [kind, ...sub] = param.split(':');
      if ((kind === '38' || kind === '48') && sub[0] === '5') return [`${kind};5;${sub[1] ?? ''}`];
      // `38:2::r:g:b` (with an empty colour space), `38:2:space:r:g:b` or `38:2:r:g:b`: the last three.
      if ((kind === '38' || kind === '48') && sub[0] === '2') return sub.length >= 4 ? [`${kind};2;${sub.slice(-3).join(';')}`] : [];
      // A curly or dotted underline is an underline; `4:0` turns it off. An underline colour (58) is not shown.
      if (kind === '4') return [sub[0] === '0' ? '24' : '4'];
      return kind === '58' ? [] : [kind];
    })
    .join(';');
}

/** A line of the model: a character and the colour state it was written in, per column. */
interface Line {
  chars: string[];
  styles: string[];
}

/** `text` (no string sequences or silent controls left) played on lines as a terminal would, back to text with SGR codes. */
function redrawn(text: string): string {
  const lines: Line[] = [{ chars: [], styles: [] }];
  let row = 0;
  let col = 0;
  let style = '';
  const line = (): Line => lines[row];
  const write = (chars: string[]): void => {
    const { chars: cells, styles } = line();
    while (cells.length < col) {
      cells.push(' ');
      styles.push('');
    }
    for (const c of chars) {
      cells[col] = c;
      styles[col] = style;
      col++;
    }
  };
  for (const [piece, params, intermediates, final] of text.matchAll(PIECE)) {
    if (piece === '\n') {
      row++;
      col = 0;
      if (row === lines.length) lines.push({ chars: [], styles: [] });
    } else if (piece === '\r') col = 0;
    else if (piece === '\u0008') col = Math.max(0, col - 1);
    else if (!piece.startsWith('\u001b')) write(Array.from(piece));
    else if (final === 'm' && !intermediates) style = nextStyle(style, piece, params);
    else if (final && !intermediates && /^[\d;]*$/.test(params)) {
      const n = Math.max(1, Number(params.split(';')[0]) || 0);
      const erase = Number(params) || 0;
      switch (final) {
        case 'A':
          row = Math.max(0, row - n);
          break;
        case 'B':
          row = Math.min(lines.length - 1, row + n);
          break;
        case 'C':
          col = Math.max(col, Math.min(col + n, MAX_COLUMN));
          break;
        case 'D':
          col = Math.max(0, col - n);
          break;
        case 'E':
          [row, col] = [Math.min(lines.length - 1, row + n), 0];
          break;
        case 'F':
          [row, col] = [Math.max(0, row - n), 0];
          break;
        case 'G':
        case '`':
          col = Math.min(n - 1, MAX_COLUMN);
          break;
        case 'K':
          if (erase === 0) cut(line(), col);
          else if (erase === 1) line().chars.fill(' ', 0, col + 1);
          else if (erase === 2) cut(line(), 0);
          break;
        case 'J':
          // From the cursor to the end; clearing the whole screen (1, 2, 3) would lose the log above.
          if (erase === 0) {
            cut(line(), col);
            lines.length = row + 1;
          }
          break;
      }
    }
  }
  return lines.map(lineText).join('\n');
}

/** Ends `line` at column `at`. */
function cut(line: Line, at: number): void {
  line.chars.length = Math.min(line.chars.length, at);
  line.styles.length = line.chars.length;
}

/** The colour state after the SGR sequence `sequence` (with `params`): a reset starts it again. */
function nextStyle(style: string, sequence: string, params: string): string {
  if (/^0*$/.test(params)) return '';
  const next = style + sequence;
  if (next.length <= MAX_STYLE) return next;
  const from = next.indexOf('\u001b', next.length - MAX_STYLE);
  return from < 0 ? sequence : next.slice(from);
}

/** One line back to text: each change of colour state as a reset and the state's codes. */
function lineText({ chars, styles }: Line): string {
  let out = '';
  let current = '';
  chars.forEach((c, i) => {
    if (styles[i] !== current) {
      out += `\u001b[0m${styles[i]}`;
      current = styles[i];
    }
    out += c;
  });
  return current ? `${out}\u001b[0m` : out;
}
