import * as os from 'node:os';
import * as vscode from 'vscode';
import type { HostToWebview } from '../common/protocol';
import { imageFromDataUrl } from '../core/images';
import { isStoredOutput } from '../core/model';
import { RecentCache, imageDataUrl, suggestedFileName } from './fileBytes';

/** Downloads a file the assistant made (a container file when `containerId` is set). */
export type FileSource = (fileId: string, containerId?: string) => Promise<Uint8Array>;

/** Reads an image kept beside a thread (`url` a stored output); undefined when it is not there. */
export type StoredOutputSource = (threadId: string, url: string) => Promise<Uint8Array | undefined>;

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
 * and "Save" into the workspace. Errors reach the user as one sentence; details go to the log.
 */
export class ChatFiles {
  private readonly images = new RecentCache<string>(CACHE_ENTRIES);

  constructor(
    private readonly source: FileSource,
    private readonly stored: StoredOutputSource,
    private readonly log: vscode.LogOutputChannel,
  ) {}

  /** The answer to a `file/request`. */
  async image(requestId: string, request: FileRequest): Promise<Extract<HostToWebview, { type: 'file/content' }>> {
    const { fileId, containerId, threadId } = request;
    const key = `${threadId ?? ''}/${containerId ?? ''}/${fileId}`;
    const cached = this.images.get(key);
    if (cached) return { type: 'file/content', requestId, fileId, dataUrl: cached };
    try {
      const result = imageDataUrl(await this.bytesOf(request));
      if ('error' in result) {
        this.log.warn(`File ${fileId}: ${result.error}`);
        return { type: 'file/content', requestId, fileId, error: result.error };
      }
      this.images.set(key, result.dataUrl);
      return { type: 'file/content', requestId, fileId, dataUrl: result.dataUrl };
    } catch (error) {
      this.log.error(`Downloading file ${fileId}${containerId ? ` from container ${containerId}` : ''} failed: ${messageOf(error)}`);
      const stored = threadId !== undefined && isStoredOutput(fileId);
      return { type: 'file/content', requestId, fileId, error: stored ? 'The image could not be read from this workspace\'s storage. See the Assistants log for details.' : 'The image could not be downloaded. See the Assistants log for details.' };
    }
  }

  /** Asks where to save, writes the file, then offers to open it. */
  async save(request: SaveRequest): Promise<void> {
    let bytes: Uint8Array;
    try {
      bytes = await this.bytesFor(request);
    } catch (error) {
      this.log.error(`Downloading file ${request.fileId} to save it failed: ${messageOf(error)}`);
      void vscode.window.showErrorMessage('The file could not be downloaded, so it was not saved. See the Assistants log for details.');
      return;
    }
    const name = suggestedFileName(request.fileId, bytes, request.filename);
    const folder = vscode.workspace.workspaceFolders?.[0]?.uri ?? vscode.Uri.file(os.homedir());
    const target = await vscode.window.showSaveDialog({ defaultUri: vscode.Uri.joinPath(folder, name), saveLabel: 'Save' });
    if (!target) return;
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

  private async bytesFor(request: SaveRequest): Promise<Uint8Array> {
    if (request.dataUrl !== undefined) {
      const inline = imageFromDataUrl(request.dataUrl);
      if (!inline) throw new Error('the inline data is not an image data URL');
      return inline;
    }
    if (request.threadId !== undefined && isStoredOutput(request.fileId)) return this.bytesOf(request);
    return vscode.window.withProgress({ location: vscode.ProgressLocation.Window, title: 'Downloading file…' }, () => this.bytesOf(request));
  }

  /** From beside the thread for a stored output, else from the server. */
  private async bytesOf(request: FileRequest): Promise<Uint8Array> {
    if (request.threadId === undefined || !isStoredOutput(request.fileId)) return this.source(request.fileId, request.containerId);
    const bytes = await this.stored(request.threadId, request.fileId);
    if (!bytes) throw new Error(`the stored output ${request.fileId} of thread ${request.threadId} is missing`);
    return bytes;
  }
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
