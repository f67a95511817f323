/**
 * Runs in Chromium (bundled by xss.test.ts): draws every part of the chat that shows server text
 * with one payload in each server field, and reports what the page would run or load.
 */
import type { Annotation, Message, RunStep } from '../../../../src/common/model';
import type { Notice, RunView } from '../../../../src/common/protocol';
import { FileRequests } from '../../../../webview/files';
import { isRasterDataImage } from '../../../../webview/links';
import { Figures } from '../../../../webview/render/figure';
import { renderHeader } from '../../../../webview/render/header';
import { MarkdownBlocks } from '../../../../webview/render/markdown';
import { redrawStreamingAnswer, renderMessage } from '../../../../webview/render/message';
import { renderNotice } from '../../../../webview/render/notice';
import { renderRunBlock } from '../../../../webview/render/steps';
import { emptyState } from '../../../../webview/state';
import { chatRequester } from '../chatRequests';

declare global {
  interface Window {
    /** Set by a payload that ran (the page's alert and friends are replaced to set it too). */
    xssRan: string[];
    renderPaths(payload: string): Promise<string[]>;
    /** The check alone, on raw HTML: proves it sees what it looks for. */
    checkHtml(html: string): string[];
    /** One assistant text part drawn as the chat draws it. */
    renderAnswer(text: string, annotations: Annotation[]): { html: string; text: string; attributes: string[] };
  }
}

window.xssRan = [];
for (const name of ['alert', 'confirm', 'prompt', 'print'] as const) {
  (window as unknown as Record<string, unknown>)[name] = (...args: unknown[]) => window.xssRan.push(`${name}(${args.map(String).join(',')})`);
}

const URL_ATTRIBUTES = new Set(['href', 'src', 'srcset', 'action', 'formaction', 'xlink:href', 'poster', 'background', 'data', 'cite', 'ping', 'lowsrc', 'srcdoc']);
const FORBIDDEN_TAGS = new Set(['SCRIPT', 'IFRAME', 'FRAME', 'OBJECT', 'EMBED', 'STYLE', 'LINK', 'META', 'BASE', 'FORM', 'INPUT', 'TEXTAREA', 'SELECT', 'SVG', 'MATH', 'TEMPLATE', 'NOSCRIPT', 'VIDEO', 'AUDIO', 'SOURCE']);

const actions = { insertCode: () => undefined, openCode: () => undefined, openFile: () => undefined, editQuestion: () => undefined };
const figures = new Figures(new FileRequests(chatRequester()), () => undefined, () => 't1');

function paths(payload: string): HTMLElement[] {
  const text = (value: string): Message['content'][number] => ({ type: 'text', text: value, annotations: [] });
  const at = Math.min(3, payload.length);
  const assistant: Message = {
    id: 'm-a',
    role: 'assistant',
    createdAt: 1,
    content: [
      text(payload),
      text(`Read [this](${payload}) and ![that](${payload}) at <${payload}>.`),
      text(`\`\`\`${payload.replace(/\n/g, ' ')}\n${payload}\n\`\`\``),
      {
        type: 'text',
        text: `Cited ${payload} here.\uE200cite\uE202turn0file3\uE201`,
        annotations: [
          { type: 'url_citation', url: payload, title: payload, startIndex: 0, endIndex: at },
          { type: 'file_citation', text: payload, fileId: 'file-1', filename: payload, quote: payload },
          { type: 'file_path', fileId: 'file-2', filename: payload, startIndex: at, endIndex: at },
          { type: 'url_citation', url: 'https://example.com/', title: payload },
        ],
      },
      { type: 'image_url', url: payload },
    ],
  };
  const user: Message = {
    id: 'm-u',
    role: 'user',
    createdAt: 1,
    content: [text(payload)],
    attachments: [{ fileId: 'file-3', filename: payload, tools: ['file_search'] }],
  };
  const step = (id: string, details: RunStep['details']): RunStep => ({ id, runId: 'run-1', status: 'completed', createdAt: 1, details });
  const view: RunView = {
    run: { id: 'run-1', threadId: 't', assistantId: 'a', status: 'failed', createdAt: 1, lastError: { code: 'server_error', message: payload } },
    steps: [
      step('s1', { type: 'tool_calls', toolCalls: [{ type: 'function', id: 'c1', name: payload, arguments: payload, output: payload }] }),
      step('s2', { type: 'tool_calls', toolCalls: [{ type: 'function', id: 'c2', name: 'f', arguments: JSON.stringify({ path: payload }), output: JSON.stringify({ text: payload }) }] }),
      step('s3', {
        type: 'tool_calls',
        toolCalls: [{ type: 'file_search', id: 'c3', queries: [payload], results: [{ fileId: 'file-4', filename: payload, score: 0.5, text: payload }] }],
      }),
      step('s4', {
        type: 'tool_calls',
        toolCalls: [{ type: 'code_interpreter', id: 'c4', input: payload, outputs: [{ type: 'logs', logs: payload }, { type: 'image', fileId: 'file-5', url: payload }] }],
      }),
      step('s5', { type: 'reasoning', summary: payload }),
    ],
  };
  const open = { runs: new Map([['run-1', true]]), items: new Map(['s1/c1', 's2/c2', 's3/c3', 's4/c4', 's5'].map((k): [string, boolean] => [k, true])) };
  const header = document.createElement('header');
  renderHeader(header, { ...emptyState(), provider: { backend: 'responses', label: payload, mock: false, hasKey: true }, assistant: { id: 'a', name: payload, model: payload }, thread: { id: 't', title: payload } }, { switchAssistant: () => undefined });
  const notice = document.createElement('div');
  const shown: Notice = { severity: 'error', message: payload };
  renderNotice(notice, shown, { runCommand: () => undefined, dismiss: () => undefined });
  return [
    renderMessage(assistant, { assistantName: payload, figures, actions }),
    streamed(assistant, payload),
    renderMessage(user, { assistantName: payload, figures, actions, editable: true }),
    renderRunBlock(view, { error: { code: 'x', message: payload } }, open, figures, { retry: () => undefined }),
    header,
    notice,
  ];
}

/** The assistant message as it streams: drawn, then redrawn in place block by block as its text grows in three pieces. */
function streamed(assistant: Message, payload: string): HTMLElement {
  const parts = assistant.content.flatMap((part) => (part.type === 'text' ? [part] : []));
  const kept = parts.map(() => new MarkdownBlocks());
  const context = { assistantName: payload, figures, actions, streamingText: (index: number) => kept[index] };
  const upTo = (share: number): Message => ({
    ...assistant,
    status: 'in_progress',
    content: parts.map((part) => ({ ...part, text: part.text.slice(0, Math.ceil(part.text.length * share)) })),
  });
  let previous = upTo(1 / 3);
  const article = renderMessage(previous, context);
  for (const share of [2 / 3, 1]) {
    const next = upTo(share);
    if (!redrawStreamingAnswer(article, previous, next, context)) throw new Error('the streaming answer was not redrawn in place');
    previous = next;
  }
  return article;
}

/** A style KaTeX set on its own layout nodes: sizes, offsets, colours and relative position only, never a fixed or absolute position or a URL. */
function katexStyle(el: Element, value: string): boolean {
  if (el.closest('.katex-html') === null) return false;
  return value.split(';').every((declaration) => {
    const [property = '', ...rest] = declaration.split(':');
    const name = property.trim();
    return !name || (/^(height|width|min-width|vertical-align|margin-(left|right|top|bottom)|top|bottom|left|right|border-(bottom|top|right)-width|padding-left|color|border-color|position)$/.test(name) && !/url|expression|fixed|absolute/i.test(rest.join(':')));
  });
}

function violations(root: Element): string[] {
  const found: string[] = [];
  for (const el of [root, ...Array.from(root.querySelectorAll('*'))]) {
    // KaTeX builds a formula's nodes itself, from TeX it parsed (never from markup in the text): its
    // MathML copy for screen readers, the SVG of a radical or a wide accent, and sizes it sets through the style object.
    const tag = el.tagName.toUpperCase();
    const katexOwn = (tag === 'MATH' && el.closest('.katex-mathml') !== null) || (tag === 'SVG' && el.closest('.katex-html') !== null);
    if (FORBIDDEN_TAGS.has(tag) && !katexOwn) found.push(`<${el.tagName.toLowerCase()}> element`);
    for (const attribute of Array.from(el.attributes)) {
      const name = attribute.name.toLowerCase();
      if (name.startsWith('on')) found.push(`${name} handler on <${el.tagName.toLowerCase()}>`);
      if (name === 'style' && !katexStyle(el, attribute.value)) found.push(`style on <${el.tagName.toLowerCase()}>`);
      if (!URL_ATTRIBUTES.has(name)) continue;
      // Browsers skip whitespace and control characters in a scheme; so does this check.
      // eslint-disable-next-line no-control-regex -- the characters a browser ignores in a URL
      const url = attribute.value.replace(/[\u0000-\u0020]/g, '').toLowerCase();
      if (el.tagName === 'IMG' && name === 'src' && isRasterDataImage(attribute.value)) continue;
      if (/^(?:javascript|vbscript|data|command|file|vscode[a-z-]*):/.test(url)) found.push(`${name}="${attribute.value.slice(0, 40)}" on <${el.tagName.toLowerCase()}>`);
    }
  }
  return found;
}

window.renderPaths = async (payload: string): Promise<string[]> => {
  const container = document.createElement('div');
  document.body.replaceChildren(container);
  container.append(...paths(payload));
  // Give handlers a chance to fire (image errors, autofocus, load) before looking.
  await new Promise((resolve) => setTimeout(resolve, 30));
  const found = violations(container);
  if (window.xssRan.length) found.push(`ran: ${window.xssRan.splice(0).join('; ')}`);
  return found;
};

window.checkHtml = (html: string): string[] => {
  const container = document.createElement('div');
  container.innerHTML = html;
  return violations(container);
};

window.renderAnswer = (text: string, annotations: Annotation[]) => {
  const el = renderMessage({ id: 'm', role: 'assistant', createdAt: 1, content: [{ type: 'text', text, annotations }] }, { assistantName: 'A', figures });
  const body = el.querySelector('.markdown') ?? el;
  const attributes = Array.from(body.querySelectorAll('*')).flatMap((node) => Array.from(node.attributes, (a) => a.value));
  return { html: body.innerHTML, text: body.textContent ?? '', attributes };
};
