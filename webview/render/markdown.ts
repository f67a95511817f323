/**
 * Assistant Markdown to DOM. markdown-it runs with raw HTML off; its output still goes through
 * DOMPurify before it touches the page, because model output is untrusted. Citation marks are
 * swapped for superscripts in text nodes only, never inside an attribute.
 */
import DOMPurify from 'dompurify';
import MarkdownIt from 'markdown-it';
import { MARK_CLOSE, MARK_OPEN } from '../citations';
import { MARKDOWN_LINK_PATTERN } from '../links';
import { highlightToHtml } from './highlight';

const md = new MarkdownIt({
  html: false,
  linkify: true,
  breaks: false,
  highlight: (code, language) => {
    const html = highlightToHtml(code, language);
    // markdown-it wraps a result that does not start with <pre> in its own <pre><code>.
    return html ?? '';
  },
});

// markdown-it's own check only refuses a few schemes (`command:` passes); refusing the rest here
// too keeps such a link as plain text even before DOMPurify strips its href.
md.validateLink = (url) => MARKDOWN_LINK_PATTERN.test(url.trim());

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
    }
  });
}

/** Renders Markdown (with citation marks from `applyCitations`) into a sanitized fragment. */
export function renderMarkdown(source: string): DocumentFragment {
  hookLinks();
  const fragment = DOMPurify.sanitize(md.render(source), { ...purifyConfig, RETURN_DOM_FRAGMENT: true });
  placeCitations(fragment);
  return fragment;
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
