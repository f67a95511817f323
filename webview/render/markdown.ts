/**
 * Assistant Markdown to DOM. markdown-it runs with raw HTML off; its output still goes through
 * DOMPurify before it touches the page, because model output is untrusted. Citation marks are
 * swapped for superscripts in text nodes only, never inside an attribute. A streaming answer is
 * drawn block by block (`MarkdownBlocks`), so a delta redraws its last block only.
 *
 * Math (`\( \)`, `\[ \]`, `$…$`, `$$…$$`, found by `@mdit/plugin-tex` and `texRules.ts`, so never
 * inside code and never read as Markdown) leaves the sanitizer as its TeX source in a placeholder,
 * and KaTeX then builds it as DOM nodes (its sizes set through the style object, which the page's
 * policy allows); what KaTeX cannot draw stays as written. Each block takes its own direction
 * (`dir="auto"`), which code and formulas do not decide.
 */
import { tex } from '@mdit/plugin-tex';
import DOMPurify from 'dompurify';
import katex from 'katex';
import MarkdownIt from 'markdown-it';
import type { StateCore, Token } from 'markdown-it';
import { MARK_CLOSE, MARK_OPEN } from '../citations';
import { MARKDOWN_LINK_PATTERN, SANDBOX_ATTRIBUTE } from '../links';
import { highlightToHtml } from './highlight';
import { DISPLAY_CLOSING, useDisplayMath } from './texRules';

/** Off while a streaming answer's last block is drawn: a code block is highlighted once it is closed. */
let highlighting = true;

const md = new MarkdownIt({
  html: false,
  linkify: true,
  breaks: false,
  highlight: (code, language) => {
    const html = highlighting ? highlightToHtml(code, language) : undefined;
    // markdown-it wraps a result that does not start with <pre> in its own <pre><code>, and escapes the code for ''.
    return html ?? '';
  },
});

// markdown-it's own check only refuses a few schemes (`command:` passes); refusing the rest here
// too keeps such a link as plain text even before DOMPurify strips its href.
md.validateLink = (url) => MARKDOWN_LINK_PATTERN.test(url.trim());

// Math is found here and drawn after sanitizing (`renderMath`): the renderer writes a placeholder
// holding the TeX as text and the delimiters it was written with.
md.use(tex, { delimiters: 'all', render: () => '' });
// A `$` whose next `$` lies past a backtick would pair with a dollar inside a code span (`$HOME`),
// taking the text between and the code's start for a formula: such a `$` is only a dollar.
md.inline.ruler.before('math_inline_dollar', 'math_dollar_before_code', (state, silent) => {
  if (state.src.charCodeAt(state.pos) !== 0x24 /* $ */) return false;
  const next = state.src.indexOf('$', state.pos + 1);
  const backtick = state.src.indexOf('`', state.pos + 1);
  if (backtick < 0 || (next >= 0 && next < backtick)) return false;
  if (!silent) state.pending += '$';
  state.pos += 1;
  return true;
});
useDisplayMath(md);
md.core.ruler.push('citations_out_of_code', moveMarksOutOfCode);
const CLOSING: Record<string, string> = { $: '$', '\\(': '\\)', ...DISPLAY_CLOSING };
const mathPlaceholder = (tokens: Token[], idx: number): string => {
  const token = tokens[idx];
  const display = token.markup in DISPLAY_CLOSING;
  // Display math inside a paragraph (`$$…$$` there) stays in the paragraph's element.
  const tag = token.type === 'math_block' ? 'div' : 'span';
  const open = md.utils.escapeHtml(token.markup);
  const close = md.utils.escapeHtml(CLOSING[token.markup] ?? token.markup);
  return `<${tag} class="math-tex${display ? ' math-display' : ''}" data-open="${open}" data-close="${close}">${md.utils.escapeHtml(token.content)}</${tag}>${tag === 'div' ? '\n' : ''}`;
};
md.renderer.rules.math_inline = mathPlaceholder;
md.renderer.rules.math_block = mathPlaceholder;

// The CSP allows no remote images and the chat must not fetch: show a Markdown image as its link.
md.renderer.rules.image = (tokens, idx) => {
  const token = tokens[idx];
  const src = String(token.attrGet('src') ?? '');
  const alt = token.content || src;
  return `<a href="${md.utils.escapeHtml(src)}">${md.utils.escapeHtml(alt)}</a>`;
};

const citationPattern = new RegExp(`${MARK_OPEN}(\\d+)${MARK_CLOSE}`, 'g');
const anyMark = new RegExp(`[${MARK_OPEN}${MARK_CLOSE}]`, 'g');
const hasMark = new RegExp(`[${MARK_OPEN}${MARK_CLOSE}]`);

const purifyConfig = {
  FORBID_TAGS: ['img', 'style', 'form', 'input', 'button', 'textarea', 'select', 'iframe', 'svg', 'math'],
  FORBID_ATTR: ['style'],
  ALLOWED_URI_REGEXP: MARKDOWN_LINK_PATTERN,
};

/**
 * Citation marks inside code or a formula, moved out: code keeps its text as written (Copy and
 * Insert take no footnote number, the highlighter sees no mark) and KaTeX never reads one. A mark
 * in a code span or a formula inside a paragraph goes just after it; one in a code block or a
 * display block is dropped there (its source stays listed under the answer).
 */
function moveMarksOutOfCode(state: StateCore): void {
  for (const token of state.tokens) {
    if (token.type === 'fence' || token.type === 'code_block' || token.type === 'math_block') {
      token.content = withoutMarks(token.content);
      token.info = withoutMarks(token.info);
    }
    if (token.type !== 'inline' || !token.children) continue;
    const children: Token[] = [];
    for (const child of token.children) {
      children.push(child);
      if ((child.type !== 'code_inline' && child.type !== 'math_inline') || !hasMark.test(child.content)) continue;
      const marks = Array.from(child.content.matchAll(citationPattern), (m) => m[0]).join('');
      child.content = withoutMarks(child.content);
      if (!marks) continue;
      const after = new state.Token('text', '', 0);
      after.content = marks;
      children.push(after);
    }
    token.children = children;
  }
}

function withoutMarks(text: string): string {
  return text.replace(citationPattern, '').replace(anyMark, '');
}

let hooked = false;
function hookLinks(): void {
  if (hooked) return;
  hooked = true;
  DOMPurify.addHook('afterSanitizeAttributes', (node) => {
    // A mark that fell into an attribute (a link title, say) is dropped there, not turned into markup.
    for (const attribute of Array.from(node.attributes ?? [])) {
      if (hasMark.test(attribute.value)) node.setAttribute(attribute.name, attribute.value.replace(citationPattern, '').replace(anyMark, ''));
    }
    if (node.tagName === 'A') {
      node.setAttribute('rel', 'noopener noreferrer');
      const href = node.getAttribute('href');
      if (href) node.setAttribute('title', href);
      // A file in the code interpreter's sandbox is no place to navigate to: the chat saves its kept copy.
      if (href && /^sandbox:/i.test(href)) {
        node.removeAttribute('href');
        node.setAttribute(SANDBOX_ATTRIBUTE, href);
      }
    }
  });
}

/**
 * How many formulas one answer draws: past them (each costs KaTeX about a millisecond, and an answer
 * of ten thousand froze the view for seconds), a formula shows as written.
 */
export const MAX_FORMULAS = 500;

/** The formulas an answer may still draw (`MAX_FORMULAS` at its start), counted down as they are drawn. */
export interface FormulaBudget {
  left: number;
}

/**
 * Renders Markdown (with citation marks from `applyCitations`) into a sanitized fragment; with
 * `highlight` false, code blocks are left as plain text. `formulas` is what the answer may still
 * draw, when `source` is a part of it (see `MarkdownBlocks`).
 */
export function renderMarkdown(source: string, highlight = true, formulas: FormulaBudget = { left: MAX_FORMULAS }): DocumentFragment {
  hookLinks();
  highlighting = highlight;
  let html: string;
  try {
    html = md.render(source);
  } finally {
    highlighting = true;
  }
  const fragment = DOMPurify.sanitize(html, { ...purifyConfig, RETURN_DOM_FRAGMENT: true });
  placeCitations(fragment);
  setDirections(fragment);
  // Last: the nodes KaTeX makes hold no mark and no text block, and are many to walk past.
  renderMath(fragment, formulas);
  return fragment;
}

/** Longest TeX drawn; a longer formula stays as written. */
const MAX_TEX = 4000;
/** How deep braces may nest in a formula's TeX; a deeper formula stays as written. */
const MAX_TEX_NESTING = 40;
/**
 * How deep the elements KaTeX builds for one formula may nest (about seven a level of `\frac` or
 * `\sqrt`, and a macro may nest what its TeX does not): Chromium lays out a tree some thousand
 * deep by recursion and the page crashes, blank, with everything in it.
 */
const MAX_FORMULA_DEPTH = 400;
/** Formulas drawn lately, by mode and source, with the nodes KaTeX made or why it could not. */
const drawnFormulas = { document: undefined as Document | undefined, byKey: new Map<string, Node[] | string>() };
/**
 * How many formulas are remembered: a streaming answer draws its last block again on each delta,
 * and a list of a hundred formulas would otherwise be laid out by KaTeX a hundred times a frame.
 */
const MAX_DRAWN_FORMULAS = 1000;

/**
 * Draws each math placeholder with KaTeX, in place. Nothing a formula says may link, load or
 * style (`\href`, `\url`, `\includegraphics`, `\htmlClass`…: KaTeX's `trust` refuses them, and the
 * formula then shows as written rather than as their names in red), sizes and macro expansion are
 * bounded, and a formula KaTeX refuses is shown as it was written, delimiters and backslashes
 * included, with KaTeX's reason as its title.
 */
function renderMath(root: DocumentFragment, formulas: FormulaBudget): void {
  for (const el of Array.from(root.querySelectorAll<HTMLElement>('.math-tex'))) {
    const source = el.textContent ?? '';
    const asWritten = `${el.dataset.open ?? ''}${source}${el.dataset.close ?? ''}`;
    el.removeAttribute('data-open');
    el.removeAttribute('data-close');
    const drawn = formulas.left-- > 0 ? drawFormula(source, el.classList.contains('math-display')) : `An answer draws its first ${MAX_FORMULAS} formulas; the rest show as written.`;
    if (typeof drawn === 'string') {
      el.classList.add('math-as-written');
      el.textContent = asWritten;
      el.title = drawn;
    } else {
      el.replaceChildren(...drawn.map((node) => node.cloneNode(true)));
    }
  }
}

/** KaTeX's nodes for `source` (to be cloned), or why it cannot draw it; remembered for the next draw of the same formula. */
function drawFormula(source: string, display: boolean): Node[] | string {
  // The page's document: each sanitized fragment comes in a document of its own.
  if (drawnFormulas.document !== document) Object.assign(drawnFormulas, { document, byKey: new Map() });
  const key = `${display ? 'D' : 'I'}${source}`;
  const known = drawnFormulas.byKey.get(key);
  if (known !== undefined) {
    // The latest drawn last: the first is the one to forget.
    drawnFormulas.byKey.delete(key);
    drawnFormulas.byKey.set(key, known);
    return known;
  }
  let drawn: Node[] | string;
  try {
    if (source.length > MAX_TEX) throw new Error(`The formula is longer than ${MAX_TEX} characters.`);
    if (braceNesting(source) > MAX_TEX_NESTING) throw new Error(`The formula nests deeper than ${MAX_TEX_NESTING} levels.`);
    let refused: string | undefined;
    const holder = document.createElement('span');
    katex.render(source, holder, {
      displayMode: display,
      throwOnError: true,
      trust: (context) => {
        refused ??= context.command;
        return false;
      },
      strict: 'ignore',
      maxSize: 10,
      maxExpand: 200,
      output: 'htmlAndMathml',
    });
    if (refused) throw new Error(`${refused} is not drawn: a formula may not link to, load or style anything.`);
    if (elementDepth(holder) > MAX_FORMULA_DEPTH) throw new Error('The formula nests too deep to draw.');
    drawn = Array.from(holder.childNodes);
  } catch (error) {
    drawn = error instanceof Error ? error.message.slice(0, 200) : 'KaTeX could not draw this formula.';
  }
  drawnFormulas.byKey.set(key, drawn);
  if (drawnFormulas.byKey.size > MAX_DRAWN_FORMULAS) drawnFormulas.byKey.delete(drawnFormulas.byKey.keys().next().value!);
  return drawn;
}

/** How deep `{` nests in `tex` (an escaped brace, `\{`, is a character). */
function braceNesting(tex: string): number {
  let depth = 0;
  let deepest = 0;
  for (let i = 0; i < tex.length; i++) {
    const c = tex[i];
    if (c === '\\') i++;
    else if (c === '{') deepest = Math.max(deepest, ++depth);
    else if (c === '}') depth--;
  }
  return deepest;
}

/** How many elements deep the tree under `root` goes (walked without recursion). */
function elementDepth(root: Element): number {
  let deepest = 0;
  const stack: [Element, number][] = [[root, 0]];
  for (let next = stack.pop(); next; next = stack.pop()) {
    const [el, depth] = next;
    deepest = Math.max(deepest, depth);
    for (const child of Array.from(el.children)) stack.push([child, depth + 1]);
  }
  return deepest;
}

/** The elements that hold a block of text: each takes the direction of its own first strong character. */
const TEXT_BLOCKS = 'p, li, h1, h2, h3, h4, h5, h6, td, th, dt, dd';
/**
 * Blocks that hold text blocks. `dir="auto"` would not do for them: it skips the text of children
 * that have a `dir` of their own, which is all of it, and so always says left to right.
 */
const CONTAINERS = 'ul, ol, blockquote, table, dl';
/** A letter of a script written right to left. */
const RTL_LETTER = /[\p{Script=Hebrew}\p{Script=Arabic}\p{Script=Syriac}\p{Script=Thaana}\p{Script=Nko}\p{Script=Samaritan}\p{Script=Mandaic}\p{Script=Adlam}\p{Script=Hanifi_Rohingya}]/u;

/**
 * Right-to-left answers lay out right to left, and a left-to-right paragraph among them stays left
 * to right: every text block gets `dir="auto"`, a list, quote or table the direction of its first
 * letter (as `dir="auto"` finds it). Code and formulas stay left to right, and being marked so,
 * they do not decide their block's direction: `dir="auto"` skips an element with a `dir` of its
 * own, so "`npm` يثبت الحزم" is right to left, as its words are.
 */
function setDirections(root: DocumentFragment): void {
  for (const el of Array.from(root.querySelectorAll('pre, code, .math-tex'))) el.setAttribute('dir', 'ltr');
  for (const el of Array.from(root.querySelectorAll(TEXT_BLOCKS))) el.setAttribute('dir', 'auto');
  for (const el of Array.from(root.querySelectorAll(CONTAINERS))) el.setAttribute('dir', firstLetterDirection(el));
}

/** `rtl` when the first letter of `el`'s text (code and formulas left out) is of a right-to-left script, else `ltr`. */
function firstLetterDirection(el: Element): 'rtl' | 'ltr' {
  const walker = el.ownerDocument.createTreeWalker(el, NodeFilter.SHOW_TEXT);
  for (let node = walker.nextNode(); node; node = walker.nextNode()) {
    if (node.parentElement?.closest('pre, code, .math-tex')) continue;
    const letter = /\p{L}/u.exec(node.textContent ?? '')?.[0];
    if (letter) return RTL_LETTER.test(letter) ? 'rtl' : 'ltr';
  }
  return 'ltr';
}

/** Swaps each citation mark in the fragment's text for a `<sup>`; text stays text. */
function placeCitations(root: DocumentFragment): void {
  const walker = root.ownerDocument.createTreeWalker(root, NodeFilter.SHOW_TEXT);
  const marked: Text[] = [];
  for (let node = walker.nextNode(); node; node = walker.nextNode()) {
    if (hasMark.test((node as Text).data)) marked.push(node as Text);
  }
  for (const node of marked) {
    const parts: Node[] = [];
    let last = 0;
    for (const match of node.data.matchAll(citationPattern)) {
      parts.push(root.ownerDocument.createTextNode(node.data.slice(last, match.index).replace(anyMark, '')));
      const sup = root.ownerDocument.createElement('sup');
      sup.className = 'cite-ref';
      sup.dataset.cite = match[1];
      sup.textContent = `[${match[1]}]`;
      parts.push(sup);
      last = match.index + match[0].length;
    }
    parts.push(root.ownerDocument.createTextNode(node.data.slice(last).replace(anyMark, '')));
    node.replaceWith(...parts);
  }
}

/**
 * The top-level blocks of `source` (paragraphs, lists, tables, fenced code, …), each as its own
 * source text, cut so that rendering them one by one gives the HTML of rendering the whole; or
 * undefined when no such cut exists (a link reference definition reaches across blocks). An
 * unclosed code fence runs to the end, as CommonMark has it.
 */
export function splitBlocks(source: string): string[] | undefined {
  // markdown-it's own normalization, so that its line numbers index these lines.
  const src = source.replace(/\r\n?/g, '\n').replace(/\0/g, '\uFFFD');
  const env: { references?: Record<string, { title: string; href: string }> } = {};
  const tokens: Token[] = [];
  md.block.parse(src, md, env, tokens);
  if (env.references && Object.keys(env.references).length > 0) return undefined;
  const lineStarts = [0];
  for (let i = src.indexOf('\n'); i >= 0; i = src.indexOf('\n', i + 1)) lineStarts.push(i + 1);
  const blocks: string[] = [];
  for (const token of tokens) {
    if (token.level !== 0 || token.nesting === -1 || !token.map) continue;
    const [start, end] = token.map;
    blocks.push(src.slice(lineStarts[start], end < lineStarts.length ? lineStarts[end] : src.length));
  }
  return blocks;
}

/**
 * One streaming text drawn block by block (see `splitBlocks`) into a container it owns: each render
 * parses and sanitizes only the blocks that changed since the last one, which while an answer
 * streams is its last block; the others keep their nodes in place. The last block of an
 * unfinished text is not highlighted: a code block still being written is highlighted once a
 * block follows it or the text is final. Every node it inserts came out of `renderMarkdown`.
 */
export class MarkdownBlocks {
  /** Each block drawn: its source, whether its code is highlighted, its nodes, and how many formulas it drew. */
  private drawn: { source: string; highlighted: boolean; nodes: Node[]; formulas: number }[] = [];

  /**
   * Makes `container` show `source`. The container holds this object's nodes only, from earlier
   * calls (the caller takes out anything it added after them). `decorate` runs on each newly drawn
   * block before it goes in.
   */
  render(container: Element, source: string, final: boolean, decorate?: (drawn: DocumentFragment) => void): void {
    const sources = splitBlocks(source) ?? [source];
    const highlight = (i: number) => final || i < sources.length - 1;
    let kept = 0;
    while (kept < sources.length && kept < this.drawn.length && this.drawn[kept].source === sources[kept] && (this.drawn[kept].highlighted || !highlight(kept))) kept++;
    const stale = this.drawn.slice(kept);
    this.drawn = this.drawn.slice(0, kept);
    // A new container (the answer was drawn anew) takes the kept blocks over.
    const keptNodes = this.drawn.flatMap((block) => block.nodes);
    // The answer's formulas are counted in order, as a render of the whole counts them.
    const formulas = { left: MAX_FORMULAS - this.drawn.reduce((sum, block) => sum + block.formulas, 0) };
    if (keptNodes.some((node) => node.parentNode !== container)) container.append(...keptNodes);
    const drop = (blocks: typeof stale) => blocks.forEach((block) => block.nodes.forEach((node) => node.parentNode?.removeChild(node)));
    // While changed blocks keep their elements (a paragraph that grows, a list that gains an
    // item), the elements stay and take the change (`patch`): the browser need not style and lay
    // out again what it has, such as the formulas of a long list.
    let inPlace = true;
    for (let i = kept; i < sources.length; i++) {
      const before = Math.max(0, formulas.left);
      const drawn = renderMarkdown(sources[i], highlight(i), formulas);
      const counted = before - Math.max(0, formulas.left);
      decorate?.(drawn);
      const nodes = Array.from(drawn.childNodes);
      const old = stale[i - kept];
      if (inPlace && old && old.nodes.length === nodes.length && old.nodes.every((node, j) => node.parentNode === container && patchable(node, nodes[j]))) {
        old.nodes.forEach((node, j) => patch(node, nodes[j]));
        this.drawn.push({ source: sources[i], highlighted: highlight(i), nodes: old.nodes, formulas: counted });
        continue;
      }
      if (inPlace) drop(stale.slice(i - kept));
      inPlace = false;
      this.drawn.push({ source: sources[i], highlighted: highlight(i), nodes, formulas: counted });
      container.append(drawn);
    }
    if (inPlace) drop(stale.slice(sources.length - kept));
  }
}

/**
 * Elements a drawn answer gave listeners of their own (a code block's buttons, a saved file's
 * link): patched only where they differ in text alone, since a listener may hold any node inside.
 */
const LISTENED = '.code-block, a';

/** Whether `patch` can bring `old` to look as `next` while keeping `old` itself. */
function patchable(old: Node, next: Node): boolean {
  // Node types, not classes: a sanitized node may come from another document's realm.
  if (old.nodeType === Node.TEXT_NODE) return next.nodeType === Node.TEXT_NODE;
  if (old.nodeType !== Node.ELEMENT_NODE || next.nodeType !== Node.ELEMENT_NODE) return false;
  if (old.isEqualNode(next)) return true;
  return (old as Element).matches(LISTENED) ? sameShape(old, next) : sameElement(old as Element, next as Element);
}

/**
 * Brings `old` (in the page) to look as `next` (just drawn), keeping what it can: an equal subtree
 * stays, a text node takes the new text, an element with the same tag and attributes stays and
 * patches its children in order (the ones that cannot be patched are replaced by theirs, extra ones
 * appended or removed). Only for a pair `patchable` allows.
 */
function patch(old: Node, next: Node): void {
  if (old.nodeType === Node.TEXT_NODE) {
    const [text, data] = [old as Text, (next as Text).data];
    if (text.data !== data) text.data = data;
    return;
  }
  if (old.isEqualNode(next)) return;
  if ((old as Element).matches(LISTENED)) {
    takeText(Array.from(old.childNodes), Array.from(next.childNodes));
    return;
  }
  const olds = Array.from(old.childNodes);
  const nexts = Array.from(next.childNodes);
  nexts.forEach((node, i) => {
    const was = olds[i];
    if (!was) old.appendChild(node);
    else if (patchable(was, node)) patch(was, node);
    else old.replaceChild(node, was);
  });
  for (const extra of olds.slice(nexts.length)) old.removeChild(extra);
}

/** Whether two elements have the same tag and attributes. */
function sameElement(x: Element, y: Element): boolean {
  if (x.tagName !== y.tagName || x.attributes.length !== y.attributes.length) return false;
  for (const attribute of Array.from(x.attributes)) if (y.getAttribute(attribute.name) !== attribute.value) return false;
  return true;
}

/** Whether two nodes are the same elements with the same attributes all the way down, text aside. */
function sameShape(a: Node, b: Node): boolean {
  if (a.nodeType === Node.TEXT_NODE) return b.nodeType === Node.TEXT_NODE;
  if (a.nodeType !== Node.ELEMENT_NODE || b.nodeType !== Node.ELEMENT_NODE) return false;
  if (a.isEqualNode(b)) return true;
  const [x, y] = [a.childNodes, b.childNodes];
  return sameElement(a as Element, b as Element) && x.length === y.length && Array.from(x).every((node, i) => sameShape(node, y[i]));
}

/** Gives each text node of `target` the text of its counterpart in `source` (as `sameShape` paired them). */
function takeText(target: readonly Node[], source: readonly Node[]): void {
  target.forEach((node, i) => {
    const from = source[i];
    if (node.nodeType === Node.TEXT_NODE) {
      const [text, data] = [node as Text, (from as Text).data];
      if (text.data !== data) text.data = data;
    } else if (!node.isEqualNode(from)) {
      takeText(Array.from(node.childNodes), Array.from(from.childNodes));
    }
  });
}
