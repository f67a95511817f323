/**
 * Terminal escape sequences in text a tool or the code interpreter printed (colours, cursor moves,
 * window titles, hyperlinks), as ECMA-48 shapes them: an operating-system command (`ESC ]` … BEL or
 * `ESC \`), a control sequence (`ESC [` or its 8-bit form, parameters, a final byte), or any other
 * `ESC` with its intermediate and final bytes. A sequence cut off at the end of the text is matched
 * as far as it goes.
 */
// eslint-disable-next-line no-control-regex -- escape sequences are exactly what this matches
const ANSI_SEQUENCE = /\u001b\][^\u0007\u001b]{0,4096}(?:\u0007|\u001b\\)?|(?:\u001b\[|\u009b)[0-?]*[ -/]*[@-~]?|\u001b[ -/]*[0-~]?/g;

/** `text` without terminal escape sequences: what a terminal would show, colours aside. */
export function stripAnsi(text: string): string {
  return text.replace(ANSI_SEQUENCE, '');
}
