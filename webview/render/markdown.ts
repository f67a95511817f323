/**
 * Assistant Markdown to DOM. markdown-it runs with raw HTML off; its output still goes through
 * DOMPurify before it touches the page, because model output is untrusted.
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
  const html = md
    .render(source)
    .replace(citationPattern, (_match, n: string) => `<sup class="cite-ref" data-cite="${n}">[${n}]</sup>`);
  return DOMPurify.sanitize(html, { ...purifyConfig, RETURN_DOM_FRAGMENT: true });
}
