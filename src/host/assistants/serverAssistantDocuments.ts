import * as vscode from 'vscode';
import { describeErrors, draftFromFile, fileFromDraft, parseAssistantFile, serializeAssistantFile } from '../../core/assistants/assistantFile';
import type { AssistantService } from '../../core/assistants/assistantService';
import { AssistantConflictError, AssistantsError, asAssistantsError } from '../../core/errors';
import type { Assistant } from '../../common/model';

const SUFFIX = '.assistant.json';

/**
 * The assistant objects of an Assistants v2 server as documents, `assistants-server:/<id>/<name>.assistant.json`
 * (the editor's tab is named after the assistant, its id in the tab's tooltip), so the assistant form (and the JSON editor) edit them in place: reading a document reads the
 * server's object through the assistant service, saving one updates it (`POST /assistants/{id}`,
 * https://platform.openai.com/docs/api-reference/assistants/modifyAssistant). A save the file
 * schema or the server refuses fails with a sentence saying why; the document keeps the user's
 * edits (still dirty) so they can fix them and save again.
 */
export class ServerAssistantDocuments implements vscode.FileSystemProvider {
  static readonly scheme = 'assistants-server';
  private readonly changed = new vscode.EventEmitter<vscode.FileChangeEvent[]>();
  readonly onDidChangeFile = this.changed.event;
  private readonly refused = new vscode.EventEmitter<{ uri: vscode.Uri; message: string }>();
  /** A save was refused: the sentence saying why, for the form to show beside VS Code's own notification. */
  readonly onDidRefuseSave = this.refused.event;
  /** Modification times this provider reports, per assistant id (ms): a save must not look like a conflict. */
  private readonly mtimes = new Map<string, number>();
  /** The text of each assistant as the document last got it (read, or saved): what a save's edits were made on. */
  private readonly served = new Map<string, string>();

  constructor(private readonly service: AssistantService) {}

  /** The document of the server assistant `id`, named after `name` (its name when it was opened; the id decides which assistant it is). */
  static uri(id: string, name: string): vscode.Uri {
    return vscode.Uri.from({ scheme: ServerAssistantDocuments.scheme, path: `/${id}/${fileNameOf(name, id)}${SUFFIX}` });
  }

  /** The id of the server assistant a document of this scheme names, whatever name it carries; undefined for any other URI. */
  static idOf(uri: vscode.Uri): string | undefined {
    if (uri.scheme !== ServerAssistantDocuments.scheme) return undefined;
    try {
      return idOf(uri);
    } catch {
      return undefined;
    }
  }

  async stat(uri: vscode.Uri): Promise<vscode.FileStat> {
    // `/` and `/<id>` are the folders a document sits in: a save looks its folder up first.
    if (!uri.path.endsWith(SUFFIX) && uri.path.replace(/^\//, '').split('/').length === 1) return { type: vscode.FileType.Directory, ctime: 0, mtime: 0, size: 0 };
    const text = await this.text(uri);
    const mtime = this.mtime(idOf(uri));
    return { type: vscode.FileType.File, ctime: mtime, mtime, size: new TextEncoder().encode(text).byteLength };
  }

  async readFile(uri: vscode.Uri): Promise<Uint8Array> {
    const text = await this.text(uri);
    this.served.set(idOf(uri), text);
    return new TextEncoder().encode(text);
  }

  async writeFile(uri: vscode.Uri, content: Uint8Array): Promise<void> {
    const id = idOf(uri);
    const refuse = (message: string) => {
      this.refused.fire({ uri, message });
      return vscode.FileSystemError.Unavailable(message);
    };
    const { file, errors } = parseAssistantFile(new TextDecoder().decode(content));
    if (!file) throw refuse(`Not saved to the server: ${describeErrors(errors)}. Fix it and save again; your edits are kept.`);
    // Fields another client changed on the server since the document was read are kept (merged field-wise).
    const base = parseAssistantFile(this.served.get(id) ?? '').file;
    try {
      const saved = await this.service.update(id, draftFromFile(file), base ? { base: draftFromFile(base) } : {});
      if (saved.assistant) this.served.set(id, textOf(saved.assistant));
    } catch (error) {
      if (error instanceof AssistantConflictError) {
        // Told once: the next save is made on the server's version, so it overwrites.
        this.served.set(id, error.current);
        throw refuse(`Not saved: ${error.fields.join(', ') || 'the assistant'} also changed on the server meanwhile. Save again to overwrite with yours, or revert to take the server's; your edits are kept.`);
      }
      throw refuse(`The server did not take the change: ${asAssistantsError(error).message} Your edits are kept; save again when the problem is fixed.`);
    }
    this.mtimes.set(id, Math.max(Date.now(), this.mtime(id) + 1));
    this.changed.fire([{ type: vscode.FileChangeType.Changed, uri }]);
  }

  watch(): vscode.Disposable {
    return new vscode.Disposable(() => undefined);
  }

  readDirectory(): never {
    throw vscode.FileSystemError.NoPermissions('Server assistants are opened one by one.');
  }

  createDirectory(): never {
    throw vscode.FileSystemError.NoPermissions('Server assistants are opened one by one.');
  }

  delete(): never {
    throw vscode.FileSystemError.NoPermissions('Delete a server assistant with "Assistants: Delete Assistant".');
  }

  rename(): never {
    throw vscode.FileSystemError.NoPermissions('Rename a server assistant in its form (its name field).');
  }

  /** The server's assistant as the text of an assistant file. */
  private async text(uri: vscode.Uri): Promise<string> {
    const id = idOf(uri);
    let entry;
    try {
      entry = await this.service.get(id);
    } catch (error) {
      if (error instanceof AssistantsError && error.kind === 'not_found') throw vscode.FileSystemError.FileNotFound(uri);
      throw vscode.FileSystemError.Unavailable(`The server's assistant ${id} could not be read: ${asAssistantsError(error).message}`);
    }
    if (entry.location !== 'server' || !entry.assistant) throw vscode.FileSystemError.FileNotFound(uri);
    return textOf(entry.assistant);
  }

  private mtime(id: string): number {
    let mtime = this.mtimes.get(id);
    if (mtime === undefined) this.mtimes.set(id, (mtime = Date.now()));
    return mtime;
  }
}

/** A server's assistant as the text of an assistant file. */
function textOf(assistant: Assistant): string {
  const { id: _id, createdAt: _createdAt, ...draft } = assistant;
  return serializeAssistantFile(fileFromDraft(draft));
}

/**
 * The assistant id a document names: `/<id>/<name>.assistant.json`, or `/<id>.assistant.json` (the
 * shape earlier versions opened, which a restored window may still hold). A path of another shape
 * names no assistant.
 */
function idOf(uri: vscode.Uri): string {
  const parts = uri.path.replace(/^\//, '').split('/');
  const id = parts.length === 2 ? parts[0] : parts.length === 1 && parts[0].endsWith(SUFFIX) ? parts[0].slice(0, -SUFFIX.length) : '';
  if (!id || !parts[parts.length - 1].endsWith(SUFFIX)) throw vscode.FileSystemError.FileNotFound(uri);
  return id;
}

/** An assistant's name as a file name: on one line, without path separators; the id when nothing is left. */
function fileNameOf(name: string, id: string): string {
  const cleaned = name.replace(/[\\/]/g, '-').replace(/\s+/g, ' ').replace(/\p{Cc}/gu, '').trim();
  return cleaned || id;
}
