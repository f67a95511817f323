import * as path from 'path';
import * as vscode from 'vscode';
import { distinctNames, withoutPublishedCopies } from '../../core/assistants/assistantPicks';
import type { AssistantService } from '../../core/assistants/assistantService';
import { addTestCase, draftTestCase } from '../../core/assistantTests/draftCase';
import { TEST_FILE_PATTERN } from '../../core/assistantTests/testFile';
import { headlessFunctions, workspaceAttacher } from '../../core/assistantTests/workspace';
import { ASSISTANT_FILE_SUFFIX } from '../../core/assistants/assistantFile';
import type { Backend } from '../../core/backend';
import type { CompareUpdate, CompareVariant } from '../../core/chat/compare';
import { CompareSession, variantLabel, variantsProblem } from '../../core/chat/compare';
import { AssistantsError, asAssistantsError } from '../../core/errors';
import { FileTooLargeError, nodeFileSystem, nodeWorkspaceFs, plainFileOrNone } from '../../core/workspace/fileSystem';
import type { Assistant, Attachment } from '../../common/model';
import { REASONING_EFFORTS } from '../../common/model';
import type { ThreadStore } from '../../core/threads/threadStore';
import type { CompareAssistantOption, CompareColumnView, CompareRequests, CompareState, CompareToHost, HostToCompare } from '../../common/compareProtocol';
import { isCompareToHost } from '../../common/compareProtocol';
import { isWebviewToHost } from '../../common/protocol';
import type { RequestHandlers } from '../../common/requests';
import { answerRequest } from '../../common/requests';
import type { AssistantStore } from '../../core/assistants/assistantStore';
import { ChatFiles } from './chatFiles';
import { compareMessage, threadView } from './compareMessages';
import { insertAtCursor, openCitedFile, openInNewEditor } from './codeActions';
import { Disposable } from '../platform/lifecycle';
import { readFunctionSettings, readPrices, readSettings } from '../platform/settings';
import { COMPARE_PAGE, webviewHtml, webviewResourceRoots } from '../platform/webviewHtml';

/** The context key that is true while a column of the Compare panel has a run going on (its Stop). */
export const COMPARE_RUNNING_KEY = 'assistants.compareRunning';
/** Attachments one question takes, at most. */
const MAX_ATTACHMENTS = 20;

/** What the Compare panel needs from the rest of the host. */
export interface ComparePanelDeps {
  extensionUri: vscode.Uri;
  assistants: AssistantService;
  /** The configured server's backend; throws AssistantsError (`no_api_key` …) with a sentence. */
  backend(): Promise<Backend>;
  /** The Assistants v2 server's assistant store when that is the protocol (a file assistant is published there to run). */
  serverAssistants(): Promise<AssistantStore | undefined>;
  /** The assistant as a run sends it (hosted MCP servers' secrets put in place). */
  prepare(assistant: Assistant): Promise<Assistant>;
  /** The Threads view's store: a kept column's thread goes there. */
  threads: ThreadStore;
  /** The Threads view has a new thread. */
  threadsChanged(): void;
  log: vscode.LogOutputChannel;
}

/**
 * The Compare panel (editor area): 2-4 columns, each an assistant or one with another model,
 * temperature or reasoning effort, asked one question at once, each streaming into its own
 * column with its steps, tokens, cost and times; Keep this thread, Save as Test Case, Retry per
 * column; Stop stops all. Each panel is a comparison of its own.
 */
export class ComparePanel extends Disposable {
  static readonly viewType = 'assistants.compare';

  private readonly scratch: ThreadStore;
  private readonly files: ChatFiles;
  /** The panel's requests, each answered once: the columns' images. */
  private readonly requests: RequestHandlers<CompareRequests> = { 'file/read': (ref) => this.files.image(ref) };
  private comparison: CompareSession | undefined;
  private labels: string[] = [];
  private kept = new Set<number>();
  private attachments: string[] = [];
  /** The workspace paths attached to the question asked (a test case saved from it names them). */
  private askedAttachments: string[] = [];
  private asking = false;

  /**
   * A panel of its own (each has its own comparison, columns and sessions). `changed` is told
   * when its runs start or end, or it is focused, closed: the Stop key follows the active panel.
   */
  constructor(
    readonly panel: vscode.WebviewPanel,
    private readonly deps: ComparePanelDeps,
    scratch: ThreadStore,
    private readonly changed: () => void,
  ) {
    super();
    this.scratch = scratch;
    this.files = new ChatFiles(
      async (threadId, ref) => this.sessionOf(threadId)?.keptFile(threadId, ref),
      (threadId, url) => this.scratch.readOutput(threadId, url),
      deps.log,
    );
    panel.webview.html = webviewHtml(panel.webview, deps.extensionUri, COMPARE_PAGE);
    this.register(panel.webview.onDidReceiveMessage((message: unknown) => {
      if (!isCompareToHost(message, isWebviewToHost)) return void deps.log.warn('The Compare panel sent a message that is not part of its protocol; ignored.');
      void this.handle(message).catch((error: unknown) => this.notice('error', asAssistantsError(error).message));
    }));
    this.register(panel.onDidChangeViewState(() => changed()));
    this.register(panel.onDidDispose(() => this.dispose()));
    this.register({ dispose: () => void this.endComparison() });
  }

  /** Whether a column of this panel has a run going on. */
  get running(): boolean {
    return this.comparison?.running ?? false;
  }

  /** Stop: every column's run is cancelled. */
  stop(): void {
    this.comparison?.stop();
  }

  private async handle(message: CompareToHost): Promise<void> {
    switch (message.type) {
      case 'ready':
        return this.post({ type: 'compare/state', state: await this.state() });
      case 'compare/ask':
        return this.ask(message.variants, message.text);
      case 'compare/stop':
        return this.stop();
      case 'compare/retry':
        return this.comparison?.retry(message.column);
      case 'compare/keep':
        return this.keep(message.column);
      case 'compare/openKept':
        return this.openKept(message.column);
      case 'compare/saveTest':
        return this.saveTest(message.column);
      case 'compare/attach':
        return this.attach();
      case 'compare/detach':
        this.attachments = this.attachments.filter((p) => p !== message.path);
        return this.post({ type: 'compare/attachments', attachments: this.attachments });
      case 'request':
        return this.post(await answerRequest(this.requests, message));
      case 'file/save':
        return this.files.save(message);
      case 'code/insert':
        return insertAtCursor(message.code);
      case 'code/open':
        return openInNewEditor(message.code, message.language);
      case 'file/open':
        return openCitedFile(message.filename, message.quote);
    }
  }

  /** A new comparison of `variants`, asked `text` with the attached files; the last one's threads not kept go. */
  private async ask(variants: CompareVariant[], text: string): Promise<void> {
    if (this.asking || this.comparison?.running) return this.notice('error', 'The columns are still answering. Stop them or wait for them to finish.');
    const problem = variantsProblem(variants) ?? (text.trim() ? undefined : 'Type a question first.') ?? this.protocolProblem(variants);
    if (problem) return this.notice('error', problem);
    this.asking = true;
    try {
      await this.endComparison();
      const names = await this.names();
      this.labels = variants.map((variant) => variantLabel(names.get(variant.assistantId) ?? variant.assistantId, variant));
      this.kept = new Set();
      // Read-only workspace functions, in a trusted folder only; anything that would ask in the chat is denied.
      const root = workspaceRoot();
      const tools = headlessFunctions({ root: root ?? '', fs: nodeWorkspaceFs, deny: readFunctionSettings().deny, trusted: () => root !== undefined && vscode.workspace.isTrusted });
      const comparison = new CompareSession(
        {
          store: this.scratch,
          connect: () => this.deps.backend(),
          assistant: async (variant) => this.deps.prepare(await this.deps.assistants.forRun(await this.deps.serverAssistants(), variant.assistantId)),
          linkedFile: (assistant) => this.deps.assistants.linkedFile(assistant),
          toolHandler: tools.toolHandler,
          driver: () => {
            const settings = readSettings();
            return { preferStreaming: settings.streaming, streamIdleMs: settings.streamIdleTimeoutSeconds * 1000 };
          },
          prices: () => readPrices(),
          onUpdate: (update) => this.onUpdate(comparison, update),
        },
        variants,
      );
      this.comparison = comparison;
      await this.post({ type: 'compare/state', state: await this.state(text.trim()) });
      const attached = await this.upload();
      if (!attached) return;
      this.askedAttachments = [...this.attachments];
      this.deps.log.info(`Compare: asking ${variants.length} columns (${this.labels.join(' | ')}).`);
      await comparison.ask(text, attached);
    } finally {
      this.asking = false;
    }
  }

  /** Assistants v2 runs take another model but not another temperature or reasoning effort. */
  private protocolProblem(variants: CompareVariant[]): string | undefined {
    if (readSettings().protocol !== 'assistantsV2') return undefined;
    return variants.some((v) => v.temperature !== undefined || v.reasoningEffort !== undefined)
      ? 'A column with another temperature or reasoning effort needs the Responses API ("assistants.protocol"); under Assistants v2 a column can change only the model.'
      : undefined;
  }

  /** Uploads the attached workspace files as the assistant tests do; undefined (said in the panel) when one cannot be. */
  private async upload(): Promise<Attachment[] | undefined> {
    if (this.attachments.length === 0) return [];
    const root = workspaceRoot();
    if (!root || !vscode.workspace.isTrusted) {
      this.notice('error', 'Attachments are read only in a trusted workspace folder; trust it with "Manage Workspace Trust", or remove them.');
      return undefined;
    }
    try {
      const attach = workspaceAttacher({ root, fs: nodeWorkspaceFs, backend: await this.deps.backend(), deny: readFunctionSettings().deny, provider: readSettings().baseUrl });
      return await attach(this.attachments, new AbortController().signal);
    } catch (error) {
      this.notice('error', `${asAssistantsError(error).message} Nothing was asked.`);
      return undefined;
    }
  }

  private async attach(): Promise<void> {
    const root = workspaceRoot();
    if (!root) return this.notice('error', 'Open a folder first: attachments are workspace files.');
    const picked = await vscode.window.showOpenDialog({ canSelectMany: true, defaultUri: vscode.Uri.file(root), openLabel: 'Attach', title: 'Attach Files to the Question' });
    if (!picked) return;
    const relative = picked.map((uri) => path.relative(root, uri.fsPath).split(path.sep).join('/'));
    const outside = relative.filter((p) => p.startsWith('..') || path.isAbsolute(p));
    if (outside.length) this.notice('error', `Only files of the workspace folder can be attached; ${outside.length} left out.`);
    this.attachments = [...new Set([...this.attachments, ...relative.filter((p) => !outside.includes(p))])].slice(0, MAX_ATTACHMENTS);
    await this.post({ type: 'compare/attachments', attachments: this.attachments });
  }

  /** Keep this thread: the column's thread goes into the Threads view. */
  private async keep(column: number): Promise<void> {
    const comparison = this.comparison;
    if (!comparison || this.kept.has(column)) return;
    const copy = await comparison.keep(column, this.deps.threads);
    this.kept.add(column);
    this.deps.threadsChanged();
    await this.post({ type: 'compare/kept', column });
    this.notice('info', `Kept "${copy.thread.title}" (${this.labels[column]}) in the Threads view.`);
  }

  /** Opens a kept column's thread in the chat, to go on with it there. */
  private async openKept(column: number): Promise<void> {
    const id = this.comparison?.columns[column]?.keptAs;
    if (id === undefined) return;
    await vscode.commands.executeCommand('assistants.openThread', id);
    await vscode.commands.executeCommand('assistants.focusChat');
  }

  /**
   * Save as Test Case: the question (and its attachments) goes into the column's assistant's tests
   * file, with an expectation drafted from this column's answer; the file opens at the new case.
   */
  private async saveTest(column: number): Promise<void> {
    const comparison = this.comparison;
    const question = comparison?.question;
    if (!comparison || !question) return;
    const variant = comparison.columns[column]?.variant;
    const entry = variant && (await this.deps.assistants.get(variant.assistantId));
    if (!entry?.file) throw new AssistantsError('bad_request', `"${entry?.name ?? 'This assistant'}" lives on the server, not in a file: test cases go beside an assistant file. Compare a file assistant to save one.`);
    const answer = comparison.answerOf(column);
    if (!answer) throw new AssistantsError('bad_request', 'This column has no answer to draft an expectation from yet.');
    const { uri, assistant } = await testFileFor(entry.file);
    // The write would follow a link: a repository's test file may be one, to anywhere.
    if (!(await plainFileOrNone(uri.fsPath))) throw new AssistantsError('permission', `${path.basename(uri.fsPath)} is a link or not a regular file, so Save as Test Case does not write it; replace it with a file beside the assistant file.`);
    const existing = await readText(uri);
    const schema = vscode.Uri.joinPath(this.deps.extensionUri, 'schemas', 'assistant-tests.schema.json');
    const added = addTestCase(existing, uri.fsPath, draftTestCase(question.text, this.askedAttachments, answer), {
      schema: path.relative(path.dirname(uri.fsPath), schema.fsPath).split(path.sep).join('/'),
      assistant,
    });
    await vscode.workspace.fs.writeFile(uri, new TextEncoder().encode(added.text));
    const editor = await vscode.window.showTextDocument(uri, { viewColumn: vscode.ViewColumn.Beside, preview: false });
    const at = new vscode.Position(added.line, 0);
    editor.selection = new vscode.Selection(at, at);
    editor.revealRange(new vscode.Range(at, at), vscode.TextEditorRevealType.InCenter);
    this.notice('info', `Saved the question as a test case in ${vscode.workspace.asRelativePath(uri)}; edit its expectation, drafted from this answer.`);
  }

  private onUpdate(comparison: CompareSession, update: CompareUpdate): void {
    if (comparison !== this.comparison) return;
    if (update.type === 'error' && update.message) this.deps.log.warn(`Compare column ${update.column + 1}: ${update.message}`);
    if (update.type === 'chat' && update.update.type === 'run' && update.update.event.type === 'error') {
      this.deps.log.warn(`Compare column ${update.column + 1}, run ${update.update.runId}: ${update.update.event.error.message}`);
    }
    if (update.type === 'busy') this.changed();
    const message = compareMessage(comparison, update);
    if (message) void this.post(message);
  }

  private async state(question?: string): Promise<CompareState> {
    const entries = await this.deps.assistants.list();
    const names = distinctNames(entries, this.linkedFile);
    // A file's own published copy is offered once, as the file; two of one name say where each lives.
    const assistants: CompareAssistantOption[] = withoutPublishedCopies(entries, this.linkedFile).flatMap((entry) => (entry.assistant ? [{ id: entry.id, name: names.get(entry.id) ?? entry.name, model: entry.assistant.model }] : []));
    const comparison = this.comparison;
    const columns: CompareColumnView[] = comparison
      ? comparison.columns.map((column, i) => ({
          label: this.labels[i],
          variant: column.variant,
          ...threadView(column.session.thread),
          activeRunId: column.session.activeRunId,
          metrics: column.metrics,
          ...(column.error !== undefined ? { error: column.error } : {}),
          ...(this.kept.has(i) ? { kept: true } : {}),
        }))
      : await this.proposed(assistants);
    return { assistants, efforts: REASONING_EFFORTS, columns, question: question ?? comparison?.question?.text, attachments: this.attachments, running: comparison?.running ?? false };
  }

  private readonly linkedFile = (assistant: Assistant) => this.deps.assistants.linkedFile(assistant);

  /** What a column calls each assistant, by id: its name, with where it lives when another has that name (`distinctNames`). */
  private async names(): Promise<Map<string, string>> {
    return distinctNames(await this.deps.assistants.list(), this.linkedFile);
  }

  /** Before a question: the active assistant beside the next one (or beside itself on another model). */
  private async proposed(assistants: CompareAssistantOption[]): Promise<CompareColumnView[]> {
    const activeId = this.deps.assistants.activeId();
    const first = assistants.find((a) => a.id === activeId) ?? assistants[0];
    if (!first) return [];
    const second = assistants.find((a) => a.id !== first.id);
    const variants: CompareVariant[] = [{ assistantId: first.id }, second ? { assistantId: second.id } : { assistantId: first.id, model: first.model === 'gpt-4.1' ? 'gpt-4.1-mini' : 'gpt-4.1' }];
    return variants.map((variant) => ({ label: variantLabel(assistants.find((a) => a.id === variant.assistantId)?.name ?? '', variant), variant, messages: [], runs: {}, metrics: {} }));
  }

  private sessionOf(threadId: string) {
    return this.comparison?.columns.find((c) => c.session.thread?.thread.id === threadId)?.session;
  }

  /** Ends the comparison under way: its runs stop, its threads not kept are deleted. */
  private async endComparison(): Promise<void> {
    const ending = this.comparison;
    this.comparison = undefined;
    this.changed();
    await ending?.dispose().catch((error: unknown) => this.deps.log.warn(`The compared threads were not all deleted: ${asAssistantsError(error).message}`));
  }

  private notice(severity: 'info' | 'error', message: string): void {
    if (severity === 'error') this.deps.log.warn(`Compare: ${message}`);
    void this.post({ type: 'compare/notice', notice: { severity, message } });
  }

  private async post(message: HostToCompare): Promise<void> {
    await this.panel.webview.postMessage(message);
  }
}

/**
 * The open Compare panels, each with its own comparison: "Compare Assistants…" opens another,
 * "Stop Comparison" stops the one focused (else the one focused last), and the
 * `assistants.compareRunning` key says whether that one has runs going on.
 */
class ComparePanels implements vscode.Disposable {
  private readonly panels = new Set<ComparePanel>();
  private last: ComparePanel | undefined;

  constructor(
    private readonly deps: ComparePanelDeps,
    private readonly scratch: ThreadStore,
  ) {}

  open(): void {
    const webviewPanel = vscode.window.createWebviewPanel(ComparePanel.viewType, 'Compare Assistants', vscode.ViewColumn.Active, {
      enableScripts: true,
      retainContextWhenHidden: true,
      localResourceRoots: webviewResourceRoots(this.deps.extensionUri),
    });
    const panel: ComparePanel = new ComparePanel(webviewPanel, this.deps, this.scratch, () => this.changed());
    this.panels.add(panel);
    this.last = panel;
    webviewPanel.onDidDispose(() => {
      this.panels.delete(panel);
      if (this.last === panel) this.last = undefined;
      this.changed();
    });
  }

  /** The panel focused, else the one focused last. */
  focused(): ComparePanel | undefined {
    return [...this.panels].find((panel) => panel.panel.active) ?? this.last;
  }

  private changed(): void {
    const active = [...this.panels].find((panel) => panel.panel.active);
    if (active) this.last = active;
    void setRunning(this.focused()?.running ?? false);
  }

  dispose(): void {
    for (const panel of this.panels) panel.dispose();
    this.panels.clear();
  }
}

/** Registers "Compare Assistants…" and "Stop Comparison", and clears what a closed window left of its comparisons. */
export function registerCompare(context: vscode.ExtensionContext, deps: ComparePanelDeps, scratch: ThreadStore): void {
  void setRunning(false);
  void discardLeftovers(scratch, deps.log);
  const panels = new ComparePanels(deps, scratch);
  context.subscriptions.push(
    panels,
    vscode.commands.registerCommand('assistants.compare', () => panels.open()),
    vscode.commands.registerCommand('assistants.compareStop', () => panels.focused()?.stop()),
  );
}

/** Threads of comparisons a closed window did not end (never kept): deleted here (best effort; their server-side conversations are left as they are). */
async function discardLeftovers(scratch: ThreadStore, log: vscode.LogOutputChannel): Promise<void> {
  try {
    for (const { id } of await scratch.list()) await scratch.delete(id);
  } catch (error) {
    log.warn(`Threads of an earlier comparison were not deleted: ${asAssistantsError(error).message}`);
  }
}

function setRunning(running: boolean): Thenable<unknown> {
  return vscode.commands.executeCommand('setContext', COMPARE_RUNNING_KEY, running);
}

/** The tests file of an assistant file, beside it (`x.assistant.json` → `x.assistant-tests.json`, an existing YAML one first), and the `assistant` it must name when the names differ. */
async function testFileFor(assistantFile: string): Promise<{ uri: vscode.Uri; assistant?: string }> {
  const dir = path.dirname(assistantFile);
  const base = path.basename(assistantFile);
  const stem = base.endsWith(ASSISTANT_FILE_SUFFIX) ? base.slice(0, -ASSISTANT_FILE_SUFFIX.length) : base.replace(/\.json$/i, '');
  const assistant = base.endsWith(ASSISTANT_FILE_SUFFIX) ? undefined : base;
  const candidates = ['json', 'yaml', 'yml'].map((ext) => path.join(dir, `${stem}.assistant-tests.${ext}`)).filter((file) => TEST_FILE_PATTERN.test(file));
  let existing: string | undefined;
  for (const file of candidates) {
    if (existing === undefined && (await vscode.workspace.fs.stat(vscode.Uri.file(file)).then(() => true, () => false))) existing = file;
  }
  return { uri: vscode.Uri.file(existing ?? candidates[0]), ...(assistant ? { assistant } : {}) };
}

/** A file's text, or undefined when it does not exist. Larger than 2 MB: refused. */
async function readText(uri: vscode.Uri): Promise<string | undefined> {
  // Measured before it is read: a sparse file of gigabytes would be read whole first.
  if (((await nodeFileSystem.stat(uri.fsPath))?.size ?? 0) > 2_000_000) throw new AssistantsError('bad_request', `${vscode.workspace.asRelativePath(uri)} is larger than 2 MB; add the case by hand.`);
  const bytes = await nodeFileSystem.readFile(uri.fsPath, { maxBytes: 2_000_000 }).catch((error: unknown) => {
    throw error instanceof FileTooLargeError ? new AssistantsError('bad_request', `${vscode.workspace.asRelativePath(uri)} is larger than 2 MB; add the case by hand.`) : error;
  });
  if (!bytes) return undefined;
  return Buffer.from(bytes).toString('utf8');
}

function workspaceRoot(): string | undefined {
  return vscode.workspace.workspaceFolders?.[0]?.uri.fsPath;
}
