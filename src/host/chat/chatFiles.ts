import * as os from 'node:os';
import * as vscode from 'vscode';
import type { OutputFileRef } from '../../core/files';
import { imageFromDataUrl } from '../../core/threads/images';
import type { KeptFile } from '../../common/model';
import { isStoredOutput } from '../../common/model';
import { plainFileOrNone } from '../../core/workspace/fileSystem';
import { RecentCache, imageDataUrl, suggestedFileName } from '../platform/fileBytes';

/**
 * A file a run of the open thread `threadId` made, as the thread keeps it (`ChatSession.keptFile`):
 * waits for a download on its way; undefined when the thread does not name it.
 */
export type KeptFileSource = (threadId: string, ref: OutputFileRef) => Promise<KeptFile | undefined>;

/** Reads an output kept beside a thread (`url` a stored output); undefined when it is not there. */
export type StoredOutputSource = (threadId: string, url: string) => Promise<Uint8Array | undefined>;

/** A file that is not kept (yet), said as one sentence; never a download from here. */
class NotKept extends Error {}

/** A file to show or save: on the server, or kept beside a thread (`threadId` with a stored-output `fileId`). */
export interface FileRequest {
  fileId: string;
  containerId?: string;
  threadId?: string;
}

export interface SaveRequest extends FileRequest {
  filename?: string;
  dataUrl?: string;
}

/** Enough for every figure of a long thread; re-renders then never download twice. */
const CACHE_ENTRIES = 32;

/**
 * The chat's files: images for the webview as `data:` URLs (the page never touches the network),
 * and "Save" into the workspace. Everything comes from the thread's outputs folder: a file a run
 * made on the server is read once it is kept there (`FileKeeper`), never fetched again. Errors
 * reach the user as one sentence; details go to the log.
 */
export class ChatFiles {
  private readonly images = new RecentCache<string>(CACHE_ENTRIES);

  constructor(
    private readonly kept: KeptFileSource,
    private readonly stored: StoredOutputSource,
    private readonly log: vscode.LogOutputChannel,
    /**
     * The thread a request without one is about: a page that drew a run's file before it learned
     * its new thread's id (its first picture arrives after the first answer on a fast server) asks
     * about the thread open in its chat. None in a Compare column, which always names its thread.
     */
    private readonly openThread: () => string | undefined = () => undefined,
  ) {}

  /**
   * The answer to a `file/read` request: the image as a `data:` URL. Throws an `Error` whose message
   * is the sentence saying why there is none (the file is not an image, not kept, unreadable).
   */
  async image(request: FileRequest): Promise<{ dataUrl: string }> {
    const { fileId, containerId } = request;
    const threadId = request.threadId ?? this.openThread();
    const key = `${threadId ?? ''}/${containerId ?? ''}/${fileId}`;
    const cached = this.images.get(key);
    if (cached) return { dataUrl: cached };
    let result: ReturnType<typeof imageDataUrl>;
    try {
      result = imageDataUrl(await this.bytesOf(request));
    } catch (error) {
      if (error instanceof NotKept) throw new Error(error.message, { cause: error });
      this.log.error(`Reading file ${fileId}${containerId ? ` of container ${containerId}` : ''} failed: ${messageOf(error)}`);
      throw new Error('The image could not be read from this workspace\'s storage. See the Assistants log for details.', { cause: error });
    }
    if ('error' in result) {
      this.log.warn(`File ${fileId}: ${result.error}`);
      throw new Error(result.error);
    }
    this.images.set(key, result.dataUrl);
    return { dataUrl: result.dataUrl };
  }

  /** Asks where to save, writes the file, then offers to open it. */
  async save(request: SaveRequest): Promise<void> {
    let bytes: Uint8Array;
    let filename: string | undefined;
    try {
      ({ bytes, filename = request.filename } = await this.bytesFor(request));
    } catch (error) {
      if (error instanceof NotKept) {
        void vscode.window.showErrorMessage(error.message);
        return;
      }
      this.log.error(`Reading file ${request.fileId} to save it failed: ${messageOf(error)}`);
      void vscode.window.showErrorMessage('The file could not be read from this workspace\'s storage, so it was not saved. See the Assistants log for details.');
      return;
    }
    const name = suggestedFileName(request.fileId, bytes, filename);
    const folder = vscode.workspace.workspaceFolders?.[0]?.uri ?? vscode.Uri.file(os.homedir());
    const target = await vscode.window.showSaveDialog({ defaultUri: vscode.Uri.joinPath(folder, name), saveLabel: 'Save' });
    if (!target) return;
    // The name suggested is the model's: a repository may commit a link by that name, pointing anywhere, which a write would follow.
    if (target.scheme === 'file' && !(await plainFileOrNone(target.fsPath).catch(() => false))) {
      void vscode.window.showErrorMessage(`${target.path.split('/').pop() ?? 'The file'} is a link or not a regular file, so it was not saved; choose another name.`);
      return;
    }
    try {
      await vscode.workspace.fs.writeFile(target, bytes);
    } catch (error) {
      this.log.error(`Writing ${target.toString()} failed: ${messageOf(error)}`);
      void vscode.window.showErrorMessage(`The file could not be written to ${vscode.workspace.asRelativePath(target)}. See the Assistants log for details.`);
      return;
    }
    this.log.info(`Saved file ${request.fileId} to ${target.toString()}.`);
    const choice = await vscode.window.showInformationMessage(`Saved ${vscode.workspace.asRelativePath(target)}.`, 'Open');
    if (choice === 'Open') await vscode.commands.executeCommand('vscode.open', target);
  }

  private async bytesFor(request: SaveRequest): Promise<{ bytes: Uint8Array; filename?: string }> {
    if (request.dataUrl !== undefined) {
      const inline = imageFromDataUrl(request.dataUrl);
      if (!inline) throw new Error('the inline data is not an image data URL');
      return { bytes: inline };
    }
    return this.fileOf(request);
  }

  private async bytesOf(request: FileRequest): Promise<Uint8Array> {
    return (await this.fileOf(request)).bytes;
  }

  /**
   * From beside the thread: a stored output as named, a server file once kept (with the name the
   * model gave it). A server file not kept throws `NotKept` with the sentence saying why.
   */
  private async fileOf(request: FileRequest): Promise<{ bytes: Uint8Array; filename?: string }> {
    const { fileId, containerId } = request;
    const threadId = request.threadId ?? this.openThread();
    if (threadId === undefined) throw new NotKept('The file is not part of the open thread, so it cannot be shown or saved.');
    if (isStoredOutput(fileId)) return { bytes: await this.read(threadId, fileId) };
    const kept = await this.kept(threadId, containerId ? { fileId, containerId } : { fileId });
    if (kept?.url === undefined) {
      throw new NotKept(kept?.error ?? (kept?.failures ? 'The file could not be downloaded yet; it is tried again shortly.' : kept ? 'The file is still on its way from the server; it shows once it is kept.' : 'The file is not part of the open thread, so it cannot be shown or saved.'));
    }
    return { bytes: await this.read(threadId, kept.url), ...(kept.filename ? { filename: kept.filename } : {}) };
  }

  private async read(threadId: string, url: string): Promise<Uint8Array> {
    const bytes = await this.stored(threadId, url);
    if (!bytes) throw new Error(`the stored output ${url} of thread ${threadId} is missing`);
    return bytes;
  }
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
