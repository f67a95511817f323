/**
 * Terminal escape sequences in text a tool or the code interpreter printed (colours, cursor moves,
 * window titles, hyperlinks), as ECMA-48 shapes them: an operating-system command (`ESC ]` … BEL or
 * `ESC \`), a control sequence (`ESC [` or its 8-bit form, parameters, a final byte), or any other
 * `ESC` with its intermediate and final bytes. A sequence cut off at the end of the text is matched
 * as far as it goes.
 */
import { terminalText } from '../../common/terminal';

// eslint-disable-next-line no-control-regex -- escape sequences are exactly what this matches
const ANSI_SEQUENCE = /\u001b\][^\u0007\u001b]{0,4096}(?:\u0007|\u001b\\)?|(?:\u001b\[|\u009b)[0-?]*[ -/]*[@-~]?|\u001b[ -/]*[0-~]?/g;

/** Past this length a text is not played through the line model: a carriage return only drops what came before it on its line. */
const MAX_PLAYED = 100_000;

/**
 * `text` without terminal escape sequences: what a terminal would show, colours aside (a progress
 * bar where it ended, lines a program redrew as it left them; see `terminalText`).
 */
export function stripAnsi(text: string): string {
  return terminalText(text, text.length <= MAX_PLAYED).replace(ANSI_SEQUENCE, '');
}
