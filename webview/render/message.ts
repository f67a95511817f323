/** One chat bubble: the user's text as typed, or the assistant's sanitized Markdown with footnotes. */
import type { Annotation, Attachment, KeptFile, MessageContent, Message } from '../../src/common/model';
import { isStoredImage } from '../../src/common/model';
import type { Footnote, SavableFile } from '../citations';
import { applyCitations } from '../citations';
import { SANDBOX_ATTRIBUTE, isRasterDataImage, safeHref, sandboxPath } from '../links';
import { codicon, h } from '../ui/dom';
import { actionIcon } from '../ui/kit';
import type { Figures } from './figure';
import type { MarkdownBlocks } from './markdown';
import { renderMarkdown } from './markdown';

/** What an answer lets the user do; each posts to the host. */
export interface AnswerActions {
  insertCode(code: string): void;
  openCode(code: string, language: string | undefined): void;
  /** Opens the workspace file a file-search citation names, at `quote` (the cited passage) when given. */
  openFile(filename: string, quote?: string): void;
  /** Puts the question back in the composer; sending it then replaces the question `messageId` and its answer. */
  editQuestion(text: string, messageId: string): void;
  /** Sends the answer `messageId` to another assistant (the host asks which, and which thread). */
  forward?(messageId: string): void;
  /** Fork from Here: a new thread with the messages up to `messageId` (the host asks for which assistant). */
  fork?(messageId: string): void;
}

export interface MessageContext {
  assistantName: string;
  /** Where the answer's assistant lives ("helper.assistant.json · workspace"), when another assistant has its name. */
  assistantWhere?: string;
  figures: Figures;
  actions?: AnswerActions;
  /**
   * Whether the message's run is still running. An in-progress message of a run that has ended
   * (cut off, interrupted) shows no typing cursor. Defaults to the message's own status.
   */
  runLive?: boolean;
  /** The thread's last question, with no run going: it offers Edit and resend. */
  editable?: boolean;
  /** The message's run is in the transcript, whose outcome line says how an unfinished answer ended. */
  runShown?: boolean;
  /**
   * While the answer streams, the kept drawing of its text part `index`: only the blocks a delta
   * changed are drawn again. Without it every render draws the whole text.
   */
  streamingText?: (index: number) => MarkdownBlocks;
  /** Draw code blocks without highlighting (cheaper; the caller draws the answer again later). */
  plainCode?: boolean;
  /**
   * Files the message's run drew already as code-interpreter figures (see `renderRunBlock`): an
   * `image_file` part naming one of them is not drawn a second time.
   */
  figuresOfRun?: ReadonlySet<string>;
  /**
   * The passage the message's run found by file search in `filename`, read when asked (the results
   * may come after the answer): a citation without a quote of its own opens there.
   */
  passageOf?: (filename: string) => string | undefined;
}

export function renderMessage(message: Message, context: MessageContext): HTMLElement {
  const streaming = message.status === 'in_progress' && context.runLive !== false;
  const article = h('article', {
    className: `msg msg-${message.role}${streaming ? ' msg-streaming' : ''}`,
    attrs: { 'data-message-id': message.id, 'aria-busy': streaming ? 'true' : undefined },
  });
  const who = message.role === 'user' ? 'You' : context.assistantName;
  const role = h('div', { className: 'msg-role' }, codicon(message.role === 'user' ? 'account' : 'hubot'), h('span', { className: 'msg-who', text: who }));
  const actions = context.actions;
  if (context.editable && actions && message.role === 'user') {
    const text = message.content.flatMap((part) => (part.type === 'text' ? [part.text] : [])).join('\n');
    const edit = actionIcon({ label: 'Edit and resend', icon: 'edit', onClick: () => actions.editQuestion(text, message.id) });
    edit.classList.add('msg-edit');
    role.append(h('span', { className: 'header-spacer' }), edit);
  }
  if (actions?.forward && message.role === 'assistant' && !streaming && message.content.some((part) => part.type === 'text' && part.text.trim())) {
    const forward = actionIcon({ label: 'Send to another assistant', icon: 'arrow-right', onClick: () => actions.forward?.(message.id) });
    forward.classList.add('msg-forward');
    role.append(h('span', { className: 'header-spacer' }), forward);
  }
  if (actions?.fork && !streaming) {
    const fork = actionIcon({ label: 'Fork from Here', icon: 'repo-forked', onClick: () => actions.fork?.(message.id) });
    fork.classList.add('msg-fork');
    if (!role.querySelector('.header-spacer')) role.append(h('span', { className: 'header-spacer' }));
    role.append(fork);
  }
  article.append(role);
  // Another assistant has this one's name: a line under it says where this one lives (file first).
  if (message.role === 'assistant' && context.assistantWhere) article.append(h('div', { className: 'msg-where', text: context.assistantWhere, attrs: { title: `${who}: ${context.assistantWhere}` } }));
  const body = h('div', { className: 'msg-body' });
  message.content.forEach((part, index) => body.append(renderPart(part, message, context, index, streaming)));
  if (streaming && message.role === 'assistant') body.append(h('span', { className: 'msg-cursor', attrs: { 'aria-hidden': 'true' } }));
  // Only an answer whose run is not shown says it is unfinished here: the run's outcome line says why.
  if (message.status === 'incomplete' && !context.runShown) body.append(h('p', { className: 'msg-note', text: 'This answer did not finish.' }));
  article.append(body);
  if (message.attachments?.length) article.append(renderAttachments(message.attachments));
  return article;
}

/**
 * Brings `article`, drawn by `renderMessage` for `previous` while it streamed, up to `message` in
 * place: only the text parts that changed are touched, and in them only the Markdown blocks that
 * changed, so the rest of the answer keeps its nodes, its layout and its listeners. Returns false,
 * touching nothing, when the answer's shape moved on (it stopped streaming, parts came or went or
 * changed kind, attachments changed): the caller then draws it anew.
 */
export function redrawStreamingAnswer(article: HTMLElement, previous: Message, message: Message, context: MessageContext): boolean {
  const streaming = message.status === 'in_progress' && context.runLive !== false;
  if (!streaming || message.role !== 'assistant' || previous.status !== 'in_progress' || !context.streamingText) return false;
  if (previous.attachments !== message.attachments || previous.content.length !== message.content.length) return false;
  const body = article.querySelector(':scope > .msg-body');
  const partNodes = body ? Array.from(body.children) : [];
  const changed = message.content.flatMap((part, index) => (part === previous.content[index] ? [] : [index]));
  for (const index of changed) {
    const container = partNodes[index];
    if (message.content[index].type !== 'text' || previous.content[index].type !== 'text' || !(container instanceof HTMLElement) || !container.classList.contains('markdown')) return false;
  }
  for (const index of changed) {
    const part = message.content[index];
    if (part.type === 'text') renderAssistantText(part.text, part.annotations, context, context.streamingText(index), partNodes[index] as HTMLElement);
  }
  return true;
}

function renderPart(part: MessageContent, { id, role }: Message, context: MessageContext, index: number, streaming: boolean): Node {
  const figures = context.figures;
  switch (part.type) {
    case 'text':
      // Each line of a question takes its own direction (the stylesheet's `unicode-bidi: plaintext`).
      if (role === 'user') return h('div', { className: 'msg-text-plain', attrs: { dir: 'auto' } }, ...questionText(part.text));
      return renderAssistantText(part.text, part.annotations, context, streaming ? context.streamingText?.(index) : undefined);
    case 'image_file':
      // Kept as an empty place so that the parts' nodes stay in step with the parts.
      if (context.figuresOfRun?.has(part.fileId)) return h('div', { className: 'msg-figure-elsewhere', attrs: { hidden: '' } });
      return figures.server({ fileId: part.fileId, containerId: part.containerId }, part.kept, { alt: `Image ${index + 1} of the message`, place: `message:${id}#${index}` });
    case 'image_url':
      if (isStoredImage(part.url)) return figures.stored(part.url, { alt: 'Image from the conversation' });
      return isRasterDataImage(part.url)
        ? h('img', { className: 'msg-image', attrs: { src: part.url, alt: 'Image from the conversation' } })
        : chip('link-external', part.url, 'Image link (not loaded)');
  }
}

/**
 * A question's text as typed, each `code` span (backticks and all) isolated left to right: a line
 * then takes the direction of its first letter outside code, as `unicode-bidi: plaintext` skips
 * isolated text, so "`npm` هو مدير الحزم؟" reads right to left as its words do.
 */
function questionText(text: string): Node[] {
  const nodes: Node[] = [];
  let last = 0;
  for (const match of text.matchAll(/`[^`\n]{1,1000}`/g)) {
    nodes.push(document.createTextNode(text.slice(last, match.index)), h('span', { className: 'msg-code-span', text: match[0], attrs: { dir: 'ltr' } }));
    last = match.index + match[0].length;
  }
  nodes.push(document.createTextNode(text.slice(last)));
  return nodes;
}

/**
 * An assistant text part as Markdown with its footnotes, into `container`. With `blocks` (a
 * streaming answer) the container may hold an earlier drawing of the same part, which keeps the
 * blocks that did not change.
 */
function renderAssistantText(
  text: string,
  annotations: Parameters<typeof applyCitations>[1],
  context: MessageContext,
  blocks: MarkdownBlocks | undefined,
  container: HTMLElement = h('div', { className: 'markdown' }),
): HTMLElement {
  const cited = applyCitations(text, annotations);
  container.querySelector(':scope > .footnotes')?.remove();
  const decorate = (drawn: DocumentFragment): void => {
    decorateCodeBlocks(drawn, context.actions);
    decorateSandboxLinks(drawn, annotations, context.figures);
  };
  if (blocks) {
    blocks.render(container, cited.text, false, decorate);
  } else {
    const drawn = renderMarkdown(cited.text, !context.plainCode);
    decorate(drawn);
    container.append(drawn);
  }
  if (cited.footnotes.length) container.append(renderFootnotes(cited.footnotes, cited.files, context));
  return container;
}


/** Each code block gets a header with its language and Copy, Insert at Cursor, Open in New Editor. */
function decorateCodeBlocks(container: DocumentFragment, actions: AnswerActions | undefined): void {
  for (const pre of Array.from(container.querySelectorAll('pre'))) {
    const code = pre.querySelector('code');
    const language = /language-([\w+-]+)/.exec(code?.className ?? '')?.[1] ?? '';
    const text = (): string => code?.textContent ?? pre.textContent ?? '';
    // Copying shows (and says) that it happened, or that it did not, for a moment.
    const copied = h('span', { className: 'code-copied', attrs: { role: 'status' } });
    const copy = actionIcon({ label: 'Copy code', icon: 'copy', onClick: () => navigator.clipboard.writeText(text()).then(() => flashCopied(copy, copied, 'Copied'), () => flashCopied(copy, copied, 'Could not copy')) });
    copy.classList.add('code-copy');
    const tools = h('span', { className: 'code-actions' }, copied);
    if (actions) {
      const insert = actionIcon({ label: 'Insert at Cursor', icon: 'insert', onClick: () => actions.insertCode(text()) });
      insert.classList.add('code-insert');
      const open = actionIcon({ label: 'Open in New Editor', icon: 'go-to-file', onClick: () => actions.openCode(text(), language || undefined) });
      open.classList.add('code-open');
      tools.append(insert, open);
    }
    tools.append(copy);
    const header = h('div', { className: 'code-header' }, h('span', { className: 'code-lang', text: language }), tools);
    const wrapper = h('div', { className: 'code-block' });
    pre.replaceWith(wrapper);
    wrapper.append(header, pre);
  }
}

/**
 * Each `sandbox:/mnt/data/x.csv` link leads to the copy of that file the thread keeps: a click (or
 * Enter) saves it. A file not kept, or one the answer names but the server never gave, shows as
 * text saying so.
 */
function decorateSandboxLinks(container: DocumentFragment, annotations: readonly Annotation[], figures: Figures): void {
  for (const link of Array.from(container.querySelectorAll<HTMLElement>(`a[${SANDBOX_ATTRIBUTE}], a[href^="sandbox:" i]`))) {
    const path = sandboxPath(link.getAttribute(SANDBOX_ATTRIBUTE) ?? link.getAttribute('href') ?? '');
    link.removeAttribute('href');
    const kept = path === undefined ? undefined : keptFileAt(path, annotations);
    if (kept?.url === undefined) {
      const why = kept?.error ?? (kept ? 'Not kept yet: the file is on its way.' : 'This file was not kept: the server did not name it.');
      const text = h('span', { className: 'sandbox-link sandbox-link-missing', attrs: { title: why } }, ...Array.from(link.childNodes));
      link.replaceWith(text);
      continue;
    }
    const name = kept.filename ?? path?.split('/').pop() ?? 'the file';
    link.classList.add('sandbox-link');
    link.setAttribute('role', 'button');
    link.setAttribute('tabindex', '0');
    link.setAttribute('title', `Save ${name} to the workspace`);
    link.addEventListener('click', (event) => {
      event.preventDefault();
      figures.saveKept(kept, name);
    });
    link.addEventListener('keydown', (event) => {
      if (event.key !== 'Enter' && event.key !== ' ') return;
      event.preventDefault();
      figures.saveKept(kept, name);
    });
  }
}

/** The kept file a `sandbox:` path names among a message's file citations (by the link, else by file name). */
function keptFileAt(path: string, annotations: readonly Annotation[]): KeptFile | undefined {
  const files = annotations.flatMap((a) => (a.type === 'file_path' ? [a] : []));
  const name = path.split('/').pop();
  const cited = files.find((a) => sandboxPath(a.text) === path) ?? files.find((a) => a.text === undefined && (a.filename ?? '').split('/').pop() === name);
  return cited ? (cited.kept ?? {}) : undefined;
}

/** How long "Copied" stays beside a code block's Copy (ms). */
const COPIED_MS = 1500;

/** Shows `said` beside Copy, with a check (or an error mark) in place of its icon, then puts both back. */
function flashCopied(copy: HTMLElement & { name?: string }, note: HTMLElement, said: string): void {
  copy.name = said === 'Copied' ? 'check' : 'error';
  note.textContent = said;
  window.setTimeout(() => {
    copy.name = 'copy';
    note.textContent = '';
  }, COPIED_MS);
}

function renderFootnotes(footnotes: Footnote[], files: Map<number, SavableFile>, context: MessageContext): HTMLElement {
  const figures = context.figures;
  const actions = context.actions;
  const list = h('div', { className: 'footnotes', attrs: { role: 'list', 'aria-label': 'Sources' } });
  for (const note of footnotes) {
    const label = h('span', { className: 'chip-label', text: note.label });
    const num = h('span', { className: 'chip-num', text: String(note.number) });
    const file = files.get(note.number);
    const href = note.url === undefined ? undefined : safeHref(note.url);
    let inner: HTMLElement;
    if (href) inner = h('a', { attrs: { href, rel: 'noopener noreferrer', title: href } }, num, label);
    // A source whose URL is not a web link still shows where it came from, as text.
    else if (note.url) inner = h('span', { attrs: { title: 'Not a web link, so not opened' } }, num, codicon('link'), label);
    else if (file) inner = saveButton(file, note, figures, num, label);
    else if (note.filename && actions) {
      const filename = note.filename;
      // Read at the click: file search's results may reach the run after its answer was drawn.
      inner = openFileButton(filename, actions, num, label, () => note.quote ?? context.passageOf?.(filename));
    }
    else inner = h('span', { attrs: { title: note.quote ?? note.label } }, num, codicon('file'), label);
    list.append(h('span', { className: 'chip footnote', attrs: { role: 'listitem' } }, inner));
  }
  return list;
}

/** A file file search cited: the chip opens it in the workspace. */
function openFileButton(filename: string, actions: AnswerActions, num: HTMLElement, label: HTMLElement, quote: () => string | undefined): HTMLElement {
  const title = `Open ${filename}`;
  const el = h('button', { className: 'chip-action', attrs: { type: 'button', title, 'aria-label': title } }, num, codicon('go-to-file'), label);
  el.addEventListener('click', () => actions.openFile(filename, quote()));
  return el;
}

/**
 * A file the code interpreter wrote: the chip itself saves the copy the thread keeps. One that could
 * not be kept says why and offers nothing; one still on its way says so.
 */
function saveButton(file: SavableFile, note: Footnote, figures: Figures, num: HTMLElement, label: HTMLElement): HTMLElement {
  const kept = file.kept;
  if (kept?.url === undefined) {
    const why = kept?.error ?? 'Not kept yet: the file is on its way.';
    return h('span', { className: 'chip-missing', attrs: { title: why } }, num, codicon(kept?.error ? 'warning' : 'loading'), label, h('span', { className: 'chip-note', text: kept?.error ? ` — ${kept.error}` : '' }));
  }
  const title = `Save ${note.label} to the workspace`;
  const el = h('button', { className: 'chip-action', attrs: { type: 'button', title, 'aria-label': title } }, num, codicon('save'), label);
  el.addEventListener('click', () => figures.saveKept(kept, file.filename));
  return el;
}

function renderAttachments(attachments: Attachment[]): HTMLElement {
  const list = h('div', { className: 'attachments', attrs: { 'aria-label': 'Attachments' } });
  for (const attachment of attachments) {
    list.append(chip('file', attachment.filename ?? attachment.fileId, attachment.tools.join(', ')));
  }
  return list;
}

export function chip(icon: string, label: string, title?: string): HTMLElement {
  return h('span', { className: 'chip', attrs: { title } }, codicon(icon), h('span', { className: 'chip-label', text: label }));
}
