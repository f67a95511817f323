/** highlight.js core with only the languages the chat needs, so the bundle stays small. */
import hljs from 'highlight.js/lib/core';
import bash from 'highlight.js/lib/languages/bash';
import javascript from 'highlight.js/lib/languages/javascript';
import json from 'highlight.js/lib/languages/json';
import markdown from 'highlight.js/lib/languages/markdown';
import python from 'highlight.js/lib/languages/python';
import typescript from 'highlight.js/lib/languages/typescript';

hljs.registerLanguage('bash', bash);
hljs.registerLanguage('javascript', javascript);
hljs.registerLanguage('json', json);
hljs.registerLanguage('markdown', markdown);
hljs.registerLanguage('python', python);
hljs.registerLanguage('typescript', typescript);
hljs.registerAliases(['sh', 'shell', 'zsh'], { languageName: 'bash' });
hljs.registerAliases(['js', 'jsx', 'mjs', 'cjs'], { languageName: 'javascript' });
hljs.registerAliases(['ts', 'tsx', 'mts', 'cts'], { languageName: 'typescript' });
hljs.registerAliases(['py'], { languageName: 'python' });
hljs.registerAliases(['md'], { languageName: 'markdown' });

/**
 * Highlighted HTML for `code`, or undefined when the language is unknown (the caller escapes it).
 * Output holds only `<span class="hljs-…">` and escaped text.
 */
export function highlightToHtml(code: string, language: string): string | undefined {
  const name = language.trim().toLowerCase();
  if (!name || !hljs.getLanguage(name)) return undefined;
  return hljs.highlight(code, { language: name, ignoreIllegals: true }).value;
}

/** A `<code>` element holding `code`, highlighted when the language is known. */
export function highlightedCode(code: string, language: string): HTMLElement {
  const el = document.createElement('code');
  const html = highlightToHtml(code, language);
  if (html === undefined) {
    el.textContent = code;
  } else {
    el.className = `hljs language-${language}`;
    // hljs escapes the source text; its own markup is spans only.
    el.innerHTML = html;
  }
  return el;
}
