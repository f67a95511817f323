import type { RunStep, ToolCall } from '../../../src/common/model';
/**
 * Hostile inputs of the kinds of what models write (issue kinds 9 to 12), shared by the unit tests that
 * check each one and by `npm run bench:faults`, which draws them all on the chat page: citation
 * markers cut off, never closed or inside link syntax; terminal sequences in logs and outputs; right-to-left
 * text; math beside code. Each input comes with what the chat must show of it.
 */

/** A private-use citation marker as OpenAI writes it, closed. */
export const CITE_MARKER = '\uE200cite\uE202turn0search0\uE201';

/** What is left of a marker when a streamed text ends inside it: nothing of it may show. */
export const CUT_MARKERS: readonly string[] = ['\uE200', '\uE200ci', '\uE200cite\uE202', '\uE200cite\uE202tur', '\uE200cite\uE202turn0file3\uE202turn0file', '\uE200entity\uE202["city","Par'];

/** A marker that never closes, with the text the chat shows: the marker gone, every word after it kept. */
export const UNCLOSED_MARKERS: readonly (readonly [text: string, shown: string])[] = [
  ['Claim one.\uE200cite\uE202turn0file3 The next sentence stays. So does this one.', 'Claim one. The next sentence stays. So does this one.'],
  ['A\uE200cite\uE202turn0file1 B is kept, C too.\uE201 D', 'A B is kept, C too. D'],
  ['One\uE200cite\uE202turn0file1 two\uE200cite\uE202turn0file2\uE201 three.', 'One two three.'],
  ['Claim.\uE200cite\uE202turn0file3Next sentence stays.', 'Claim.Next sentence stays.'],
  ['Claim.\uE200cite\uE202turn0search1\uE202turn2news12The rest.', 'Claim.The rest.'],
  ['Claim.\uE200Next sentence stays.', 'Claim.Next sentence stays.'],
  ['Claim.\uE200cite\uE202 The rest.', 'Claim. The rest.'],
  ['Claim.\uE200cite\uE202turn0file The rest.', 'Claim. The rest.'],
  ['Claim.\uE200cite\uE202tur\n\nNext paragraph.', 'Claim.\n\nNext paragraph.'],
];

/** A marker inside a link's label, destination, title or reference definition: the link must stay a link to `href`. */
export const MARKERS_IN_LINKS: readonly (readonly [text: string, href: string])[] = [
  [`Read [the guide](https://example.com/a${CITE_MARKER}/b) first.`, 'https://example.com/a/b'],
  [`Read [the guide](https://example.com/g "The (best) guide${CITE_MARKER}") first.`, 'https://example.com/g'],
  [`See <https://example.com/c${CITE_MARKER}> now.`, 'https://example.com/c'],
  [`See [the docs${CITE_MARKER}] now.\n\n[the docs]: https://example.com/d`, 'https://example.com/d'],
  [`See [the docs${CITE_MARKER}][] now.\n\n[the docs]: https://example.com/d`, 'https://example.com/d'],
  [`> See [the docs] now.\n>\n> [the docs]: https://example.com/d${CITE_MARKER}`, 'https://example.com/d'],
  [`- See [the docs] now.\n\n  [the docs]: https://example.com/d${CITE_MARKER} "Docs"`, 'https://example.com/d'],
  [`See [the docs] now.\n\n[the docs]:\n  https://example.com/d${CITE_MARKER}\n  "Docs"`, 'https://example.com/d'],
];

/** Terminal sequences other than colours (cursor moves, erasures, hyperlinks, titles, the 8-bit form, a lone ESC), with the text shown. */
export const ANSI_DROPPED: readonly (readonly [text: string, shown: string])[] = [
  ['\u001b[2K\u001b[1A\u001b[?25lprogress 100%\u001b[?25h', 'progress 100%'],
  ['\u001b]8;;https://example.com\u0007a link\u001b]8;;\u0007 and \u001b]0;title\u001b\\done', 'a link and done'],
  ['\u009b31mC1 red\u009b0m \u001b(Bcharset \u001b=keypad \u001b', 'C1 red charset keypad '],
];

/** Coloured terminal text, with the text shown. */
export const ANSI_COLOURED: readonly (readonly [text: string, shown: string])[] = [
  ['\u001b[0;31mTraceback (most recent call last):\u001b[0m\n  File "x.py"\n\u001b[1;91mValueError\u001b[0m: bad \u001b[4;32munderlined\u001b[0m', 'Traceback (most recent call last):\n  File "x.py"\nValueError: bad underlined'],
  ['\u001b[38;5;208morange\u001b[0m \u001b[48;2;10;20;30mdark\u001b[0m \u001b[38;5;244mgrey\u001b[0m \u001b[44mon blue\u001b[0m', 'orange dark grey on blue'],
  ['\u001b[38:2::255:0:0mred\u001b[0m \u001b[38:2:10:20:30mno space id\u001b[0m \u001b[48:5:21mblue bg\u001b[0m \u001b[4:3mcurly\u001b[4:0m plain \u001b[1;38:5:208mbold orange\u001b[m', 'red no space id blue bg curly plain bold orange'],
];

/** Inline math in each of its forms, with the TeX KaTeX must be handed, backslashes and asterisks as written. */
export const INLINE_MATH: readonly (readonly [text: string, sources: readonly string[]])[] = [
  ['Roots of \\(a_1 x^2 + b_1 x = 0\\) and \\(\\alpha_*\\).', ['a_1 x^2 + b_1 x = 0', '\\alpha_*']],
  ['Mean $\\bar{x} = \\frac{1}{n}\\sum x_i$ and $a*b*c$ here.', ['\\bar{x} = \\frac{1}{n}\\sum x_i', 'a*b*c']],
  ['The energy $$E = mc^2$$ and the sum \\[\\sum_{i=1}^n i\\] hold.', ['E = mc^2', '\\sum_{i=1}^n i']],
];

/** Math delimiters inside code, with the code as it must stay. */
export const MATH_IN_CODE: readonly (readonly [text: string, code: readonly string[]])[] = [
  ['Set `$HOME` to $5 of `\\(y\\)` and `$$x$$`.', ['$HOME', '\\(y\\)', '$$x$$']],
  ['It costs $10 for:\n\n```sh\necho "$PATH" \\(y\\) $$z$$\n```', ['echo "$PATH" \\(y\\) $$z$$\n']],
];

/** Answers in Arabic and Hebrew, alone and mixed with English, code and math, as paragraphs, lists, headings, quotes and tables. */
export const RIGHT_TO_LEFT: readonly string[] = [
  '- البند الأول\n- second, in English',
  '1. `كود` first, in English\n2. שני',
  '# عنوان\n\nهذه فقرة باللغة العربية تشرح `code` والمعادلة $x^2$ بالتفصيل.\n\n> ציטוט בעברית',
  'English first.\n\nثم العربية.\n\n| عمود | column |\n|---|---|\n| قيمة | value |',
];

/** A completed run step of the tool calls `toolCalls` (run `r`, step `s`), as the chat draws one. */
export function completedToolStep(toolCalls: ToolCall[]): RunStep {
  return { id: 's', runId: 'r', status: 'completed', createdAt: 1, details: { type: 'tool_calls', toolCalls } };
}
