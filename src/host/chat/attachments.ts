import * as vscode from 'vscode';
import type { UploadIndex, UploadItem, UploadResult } from '../../core/attachments/uploads';
import { defaultToolFor, formatBytes, uploadFiles } from '../../core/attachments/uploads';
import type { SkippedFile } from '../../core/attachments/skipSummary';
import { skipSummary } from '../../core/attachments/skipSummary';
import { AssistantsError } from '../../core/errors';
import { nodeWorkspaceFs } from '../../core/workspace/fileSystem';
import type { Confinement } from '../../core/workspace/confinement';
import { walkFiles } from '../../core/workspace/walk';
import type { Attachment, AttachmentTool } from '../../common/model';
import type { AttachmentView } from '../../common/protocol';
import type { UploadTarget } from '../platform/connections';
import { oneLine } from '../../common/showable';
import { Disposable } from '../platform/lifecycle';


interface Pending extends AttachmentView {
  absolute: string;
  fileId?: string;
}

/** What a set of files and folders expanded to. */
export interface Expanded {
  items: UploadItem[];
  /** Files left out (hidden by files.exclude or the deny list, ignored by .gitignore, links out), with why. */
  skipped: SkippedFile[];
}

/** Why the walk left a file out, said of the file (see `skipSummary`). */
const SKIP_WORDS: Record<string, string> = {
  hidden: 'is hidden by files.exclude or may hold secrets (assistants.functions.deny)',
  gitignored: 'is ignored by .gitignore',
  link: 'links to a folder',
  outside: 'is outside the workspace or may hold secrets',
};

/**
 * Files and folders picked in the Explorer, expanded through the one confinement gate: a folder
 * gives its files minus what files.exclude, .gitignore and the deny list leave out, and every file
 * left out is counted with its reason.
 */
export async function expandSelection(uris: readonly vscode.Uri[], confinement: Confinement, signal?: AbortSignal): Promise<Expanded> {
  const items: UploadItem[] = [];
  const skipped: Expanded['skipped'] = [];
  const seen = new Set<string>();
  for (const uri of uris) {
    if (uri.scheme !== 'file') {
      skipped.push({ display: uri.path.split('/').pop() ?? uri.toString(), reason: 'is not a file on disk' });
      continue;
    }
    const start = await confinement.resolve(uri.fsPath);
    if (!start.ok) {
      skipped.push({ display: vscode.workspace.asRelativePath(uri), reason: start.about ?? start.reason.replace(/^Refused: /, '').replace(/\.$/, '') });
      continue;
    }
    for await (const file of walkFiles(nodeWorkspaceFs, confinement, start, { signal, onSkip: (display, reason) => skipped.push({ display, reason: SKIP_WORDS[reason] }) })) {
      if (seen.has(file.absolute)) continue;
      seen.add(file.absolute);
      items.push({ absolute: file.absolute, display: file.display, tool: defaultToolFor(file.display) });
    }
  }
  return { items, skipped };
}

/**
 * The files attached to the next message: chips in the composer, uploaded as soon as they are
 * attached (under VS Code's progress, a few at a time, cancellable, unchanged files not sent
 * again). A file that cannot go is shown with its reason until the user removes it.
 */
export class ComposerAttachments extends Disposable {
  private readonly pending: Pending[] = [];
  private readonly changed = this.register(new vscode.EventEmitter<AttachmentView[]>());
  readonly onDidChange = this.changed.event;
  private counter = 0;

  constructor(
    private readonly deps: {
      target(): Promise<UploadTarget>;
      index: UploadIndex;
      confinement: Confinement;
      log: vscode.LogOutputChannel;
    },
  ) {
    super();
  }

  list(): AttachmentView[] {
    return this.pending.map(({ id, name, display, tool, status, error }) => ({ id, name, display, tool, status, ...(error ? { error } : {}) }));
  }

  /** Attaches files and folders; resolves when their uploads are done. Returns what was taken and skipped. */
  async add(uris: readonly vscode.Uri[]): Promise<{ taken: number; skipped: number }> {
    const expanded = await expandSelection(uris, this.deps.confinement);
    for (const skip of expanded.skipped) this.deps.log.info(`Not attached: ${oneLine(skip.display)} ${skip.reason}.`);
    const fresh = expanded.items
      .filter((item) => !this.pending.some((p) => p.absolute === item.absolute))
      .map((item): Pending => ({ id: `a${++this.counter}`, name: item.display.split('/').pop() ?? item.display, display: item.display, tool: item.tool, status: 'uploading', absolute: item.absolute }));
    this.pending.push(...fresh);
    this.fire();
    if (expanded.skipped.length > 0 || uris.length > 1 || expanded.items.length > 1) {
      const skippedNote = expanded.skipped.length ? `; ${skipSummary(expanded.skipped)}. The Assistants log lists each.` : '.';
      void vscode.window.showInformationMessage(`Attached ${expanded.items.length} file${expanded.items.length === 1 ? '' : 's'}${skippedNote}`);
    }
    await this.upload(fresh);
    return { taken: expanded.items.length, skipped: expanded.skipped.length };
  }

  remove(id: string): void {
    const index = this.pending.findIndex((p) => p.id === id);
    if (index < 0) return;
    this.pending.splice(index, 1);
    this.fire();
  }

  /** Switches a chip between file search and the code interpreter; a file refused for one tool is tried again for the other. */
  async setTool(id: string, tool: AttachmentTool): Promise<void> {
    const chip = this.pending.find((p) => p.id === id);
    if (!chip || chip.tool === tool) return;
    chip.tool = tool;
    if (chip.status === 'failed') {
      chip.status = 'uploading';
      chip.error = undefined;
      this.fire();
      await this.upload([chip]);
    } else {
      this.fire();
    }
  }

  /** The attachments to send with the next message; throws a sentence while uploads are still running. */
  ready(): Attachment[] {
    const uploading = this.pending.filter((p) => p.status === 'uploading').length;
    if (uploading > 0) throw new AssistantsError('bad_request', `Wait for the attached files to finish uploading (${uploading} left), or remove them.`);
    return this.pending.flatMap((p) => (p.status === 'ready' && p.fileId ? [{ fileId: p.fileId, filename: p.name, tools: [p.tool] }] : []));
  }

  /**
   * Re-upload: the server no longer has `fileId` (or, without one, any file of a chip): the chips
   * holding it are uploaded again from the workspace (the upload checks each id with the server
   * and sends again only the bytes it lost). Resolves with how many chips went up again.
   */
  async reupload(fileId?: string): Promise<number> {
    const chips = this.pending.filter((p) => p.status === 'ready' && (fileId === undefined || p.fileId === fileId));
    for (const chip of chips) {
      chip.status = 'uploading';
      chip.fileId = undefined;
    }
    this.fire();
    await this.upload(chips);
    return chips.length;
  }

  /** The message went out: its attachments leave the composer (failed ones stay, with their reason). */
  sent(): void {
    const kept = this.pending.filter((p) => p.status === 'failed');
    this.pending.splice(0, this.pending.length, ...kept);
    this.fire();
  }

  private async upload(chips: Pending[]): Promise<void> {
    if (chips.length === 0) return;
    let target: UploadTarget;
    try {
      target = await this.deps.target();
    } catch (error) {
      this.fail(chips, error instanceof Error ? error.message : String(error));
      return;
    }
    const results = await vscode.window.withProgress(
      { location: vscode.ProgressLocation.Notification, title: 'Uploading attachments', cancellable: true },
      async (progress, token) => {
        const abort = new AbortController();
        token.onCancellationRequested(() => abort.abort());
        return uploadFiles(
          chips.map((chip) => ({ absolute: chip.absolute, display: chip.display, tool: chip.tool })),
          {
            files: target.backend,
            fs: nodeWorkspaceFs,
            index: this.deps.index,
            provider: target.provider,
            inputFiles: target.backend.kind === 'responses',
            signal: abort.signal,
            onProgress: (done, total, last) => progress.report({ message: `${done} of ${total}: ${last.item.display}`, increment: 100 / total }),
          },
        );
      },
    );
    results.forEach((result, i) => this.settle(chips[i], result));
    const sent = results.reduce((sum, r) => sum + (r.ok ? r.uploadedBytes : 0), 0);
    const reused = results.filter((r) => r.ok && r.reused).length;
    this.deps.log.info(`Attachments: ${results.length} files, ${reused} already uploaded, ${formatBytes(sent)} sent.`);
    const refused = results.filter((r): r is Extract<UploadResult, { ok: false }> => !r.ok);
    if (refused.length) void vscode.window.showWarningMessage(`${refused.length} file${refused.length === 1 ? ' was' : 's were'} not attached: ${refused.map((r) => `${r.item.display}: ${r.reason}`).join(' ')}`);
    this.fire();
  }

  private settle(chip: Pending, result: UploadResult): void {
    if (result.ok) {
      chip.status = 'ready';
      chip.fileId = result.fileId;
    } else {
      chip.status = 'failed';
      chip.error = result.reason;
    }
  }

  private fail(chips: Pending[], reason: string): void {
    for (const chip of chips) {
      chip.status = 'failed';
      chip.error = reason;
    }
    this.fire();
  }

  private fire(): void {
    this.changed.fire(this.list());
  }
}

