import type { AssistantEntry, AssistantLocation, AssistantStore, UpdateOptions } from './assistantStore';
import { describeErrors, fileFromDraft, validateAssistantFile } from './assistantFile';
import { AssistantsError } from '../errors';
import type { Assistant, AssistantDraft, ToolDefinition } from '../../common/model';

/** A small key-value state (VS Code's `Memento` fits), for the active assistant and the recent list. */
export interface KeyValueState {
  get<T>(key: string): T | undefined;
  update(key: string, value: unknown): PromiseLike<void>;
}

export interface AssistantServiceOptions {
  /** The stores to list, files first; the Assistants v2 server's store when that is the protocol. */
  stores(): Promise<AssistantStore[]>;
  /** Per-workspace state: which assistant is active, which were used last, what a repository's files were published to. */
  state: KeyValueState;
  /**
   * State every workspace shares (VS Code's `globalState`): which server assistants this user's
   * personal files were published to. Default: `state`.
   */
  userState?: KeyValueState;
  /** The assistant a user gets first, made from the `assistants.*` settings. */
  firstAssistant(): AssistantDraft;
  /** Where the first assistant is written. */
  firstLocation: AssistantLocation;
  /** What every run of `entry` adds to it (workspace functions and its local MCP servers' tools, or a note why they are off). */
  runAdditions(entry: AssistantEntry): RunAdditions | Promise<RunAdditions>;
}

/** Added to an assistant for a run only, never written to its file. */
export interface RunAdditions {
  /** Tools beside the assistant's own; a function the assistant already defines is not added twice. */
  tools: ToolDefinition[];
  /** A paragraph appended to the assistant's instructions. */
  instructions?: string;
}

const ACTIVE_KEY = 'assistants.activeAssistant';
const RECENT_KEY = 'assistants.recentAssistants';
/**
 * Metadata key on a server assistant that a file was published to: the file's id. It is the
 * publisher's word only: a teammate's assistant published from their own `user:helper` carries
 * the same value as yours (see `linkedFile`).
 */
export const LINK_KEY = 'assistants_vscode_file';
const PUBLISHED_KEY = 'assistants.published.';
/** `assistants.link.<server id>` -> the id of the file this user published to that server assistant. */
const LINK_STATE_KEY = 'assistants.link.';

/**
 * The one way to reach assistants, whatever store keeps them: list, create, update, delete, clone,
 * the active one, and the one a run uses. Every draft is validated against the assistant file schema
 * before it is written, so no store ever holds an assistant that cannot be run.
 */
export class AssistantService {
  private readonly listeners = new Set<() => void>();

  constructor(private readonly options: AssistantServiceOptions) {}

  /** Calls `listener` after every change made through the service. */
  onDidChange(listener: () => void): { dispose(): void } {
    this.listeners.add(listener);
    return { dispose: () => this.listeners.delete(listener) };
  }

  /** Tells listeners that assistants changed outside the service (files edited on disk). */
  changed(): void {
    for (const listener of this.listeners) listener();
  }

  /** Every assistant of every store, most recently used first, then by name. */
  async list(): Promise<AssistantEntry[]> {
    const stores = await this.options.stores();
    const entries = (await Promise.all(stores.map((store) => store.list()))).flat();
    const recent = this.options.state.get<string[]>(RECENT_KEY) ?? [];
    const rank = (id: string) => {
      const index = recent.indexOf(id);
      return index < 0 ? recent.length : index;
    };
    return entries.sort((a, b) => rank(a.id) - rank(b.id) || a.name.localeCompare(b.name));
  }

  async get(id: string): Promise<AssistantEntry> {
    const found = (await this.list()).find((entry) => entry.id === id);
    if (!found) throw new AssistantsError('not_found', 'That assistant no longer exists.');
    return found;
  }

  /** Creates an assistant in `location`; throws `bad_request` with the reasons when the draft is not valid. */
  async create(location: AssistantLocation, draft: AssistantDraft): Promise<AssistantEntry> {
    validateDraft(draft);
    const entry = await (await this.store(location)).create(draft);
    this.changed();
    return entry;
  }

  /**
   * Writes `draft` over the assistant `id`. Pass `options.base` (the assistant the draft was made
   * from) so that changes made elsewhere meanwhile are merged, or refused with
   * `AssistantConflictError` when they touch the same fields; without it the draft overwrites.
   */
  async update(id: string, draft: AssistantDraft, options?: UpdateOptions): Promise<AssistantEntry> {
    validateDraft(draft);
    const entry = await (await this.store(locationOf(id))).update(id, draft, options);
    this.changed();
    return entry;
  }

  async delete(id: string): Promise<void> {
    await (await this.store(locationOf(id))).delete(id);
    if (this.options.state.get<string>(ACTIVE_KEY) === id) await this.options.state.update(ACTIVE_KEY, undefined);
    await this.options.state.update(RECENT_KEY, (this.options.state.get<string[]>(RECENT_KEY) ?? []).filter((other) => other !== id));
    this.changed();
  }

  /** A copy named `name` (default "<name> (copy)"), in `location` (default: where the original lives). */
  async clone(id: string, location?: AssistantLocation, name?: string): Promise<AssistantEntry> {
    const original = await this.get(id);
    if (!original.assistant) throw invalid(original);
    const { id: _id, createdAt: _createdAt, ...draft } = original.assistant;
    const metadata = { ...draft.metadata };
    delete metadata[LINK_KEY];
    return this.create(location ?? original.location, { ...draft, name: name ?? `${draft.name} (copy)`, metadata: Object.keys(metadata).length > 0 ? metadata : undefined });
  }

  /** The id of the active assistant, if one was chosen. */
  activeId(): string | undefined {
    return this.options.state.get<string>(ACTIVE_KEY);
  }

  /**
   * The active assistant: the one chosen last, else the most recent valid one. When there is no
   * assistant at all, the first one is made from the settings and written to its store.
   */
  async active(): Promise<AssistantEntry> {
    const entries = await this.list();
    const chosen = entries.find((entry) => entry.id === this.activeId());
    if (chosen) return chosen;
    const fallback = entries.find((entry) => entry.assistant) ?? entries[0];
    if (fallback) {
      await this.options.state.update(ACTIVE_KEY, fallback.id);
      return fallback;
    }
    const first = await this.create(this.options.firstLocation, this.options.firstAssistant());
    await this.select(first.id);
    return first;
  }

  /**
   * Makes `id` the active assistant and the most recent. Throws `bad_request` with its problems
   * when it cannot run (an invalid or refused file): made active, it could only refuse every
   * question; `not_found` when it is gone.
   */
  async select(id: string): Promise<void> {
    const entry = await this.get(id);
    if (!entry.assistant) throw invalid(entry);
    await this.options.state.update(ACTIVE_KEY, id);
    await this.touch(id);
    this.changed();
  }

  /** Moves `id` to the front of the recent list. */
  async touch(id: string): Promise<void> {
    const recent = (this.options.state.get<string[]>(RECENT_KEY) ?? []).filter((other) => other !== id);
    await this.options.state.update(RECENT_KEY, [id, ...recent].slice(0, 50));
  }

  /**
   * The assistant a run uses: assistant `id` (default: the active one) with the runtime tools
   * added. An invalid file is refused with its reasons. When `server` is given (Assistants v2), a
   * file assistant is published to it first (created, or updated when it changed) and the server's
   * object is returned.
   */
  async forRun(server?: AssistantStore, id?: string): Promise<Assistant> {
    const entry = id === undefined ? await this.active() : await this.get(id);
    if (!entry.assistant) throw invalid(entry);
    const assistant = withAdditions(entry.assistant, await this.options.runAdditions(entry));
    if (!server || entry.location === 'server') return assistant;
    const { id: _id, createdAt: _createdAt, ...draft } = assistant;
    return this.publish(entry.id, draft, server);
  }

  /** Sends a file assistant to an Assistants v2 server (creating or updating its linked object); returns the server's assistant. */
  async push(id: string, server: AssistantStore): Promise<Assistant> {
    const entry = await this.get(id);
    if (!entry.assistant) throw invalid(entry);
    if (entry.location === 'server') throw new AssistantsError('bad_request', 'That assistant already lives on the server.');
    const { id: _id, createdAt: _createdAt, ...draft } = entry.assistant;
    return this.publish(id, draft, server, true);
  }

  /** Writes the linked server object's fields back into the file. Throws `not_found` when this user never pushed the file (see `linkedFile`). */
  async pull(id: string, server: AssistantStore): Promise<AssistantEntry> {
    const local = await this.get(id);
    const linked = await this.publishedTo(id, server);
    if (!linked?.assistant) throw new AssistantsError('not_found', 'This assistant has not been pushed to the server from here yet; push it first.');
    const { id: _id, createdAt: _createdAt, ...draft } = linked.assistant;
    const metadata = { ...draft.metadata };
    delete metadata[LINK_KEY];
    return this.update(id, { ...draft, metadata: Object.keys(metadata).length > 0 ? metadata : undefined }, { base: draftOf(local) });
  }

  /**
   * The file a server assistant is the published form of, when this user published it from that
   * file: its `LINK_KEY` metadata names the file and the link was recorded here when it was
   * published. Else undefined: another user's assistant published from their own `user:helper`
   * (or from a repository file of the same name) is not this user's file, and never runs with its
   * command bindings or trust.
   */
  linkedFile(assistant: Assistant): string | undefined {
    const fileId = assistant.metadata?.[LINK_KEY];
    return fileId && locationOf(assistant.id) === 'server' && this.publishedFrom(assistant.id, fileId) ? fileId : undefined;
  }

  /**
   * Whether this user published the file `fileId` to the server assistant `serverId`: recorded
   * when it was published, or, published by an earlier version, named by the fingerprint kept for
   * that server id in this workspace.
   */
  publishedFrom(serverId: string, fileId: string): boolean {
    const location = locationOf(fileId);
    if (location === 'server') return false;
    if (this.linkState(location).get<string>(`${LINK_STATE_KEY}${serverId}`) === fileId) return true;
    return publishedFileOf(this.options.state.get<string>(`${PUBLISHED_KEY}${serverId}`)) === fileId;
  }

  /** The server assistant this user published file `id` to, if any (see `linkedFile`). */
  private async publishedTo(id: string, server: AssistantStore): Promise<AssistantEntry | undefined> {
    return (await server.list()).find((entry) => entry.assistant !== undefined && this.linkedFile(entry.assistant) === id);
  }

  private linkState(location: AssistantLocation): KeyValueState {
    return location === 'user' ? (this.options.userState ?? this.options.state) : this.options.state;
  }

  private async publish(id: string, draft: AssistantDraft, server: AssistantStore, force = false): Promise<Assistant> {
    const linkedDraft: AssistantDraft = { ...draft, metadata: { ...draft.metadata, [LINK_KEY]: id } };
    const fingerprint = JSON.stringify(linkedDraft);
    const linked = await this.publishedTo(id, server);
    const stateKey = `${PUBLISHED_KEY}${linked?.id ?? 'none'}`;
    if (linked?.assistant && !force && this.options.state.get<string>(stateKey) === fingerprint) return linked.assistant;
    const published = linked ? await server.update(linked.id, linkedDraft) : await server.create(linkedDraft);
    if (!published.assistant) throw invalid(published);
    await this.linkState(locationOf(id)).update(`${LINK_STATE_KEY}${published.id}`, id);
    await this.options.state.update(`${PUBLISHED_KEY}${published.id}`, fingerprint);
    return published.assistant;
  }

  private async store(location: AssistantLocation): Promise<AssistantStore> {
    const store = (await this.options.stores()).find((candidate) => candidate.location === location);
    if (!store) {
      throw new AssistantsError('unsupported', location === 'server' ? 'Server assistants need the Assistants v2 protocol and an API key.' : `There is no ${location} folder for assistants (open a folder first).`);
    }
    return store;
  }
}

/** Which store an id belongs to (`workspace:…`, `user:…`, else a server id). */
export function locationOf(id: string): AssistantLocation {
  if (id.startsWith('workspace:')) return 'workspace';
  if (id.startsWith('user:')) return 'user';
  return 'server';
}

/** The file id a publish fingerprint (the JSON of the draft sent) names in its metadata, if it is one. */
function publishedFileOf(fingerprint: string | undefined): string | undefined {
  if (!fingerprint) return undefined;
  try {
    const link = (JSON.parse(fingerprint) as { metadata?: Record<string, unknown> }).metadata?.[LINK_KEY];
    return typeof link === 'string' ? link : undefined;
  } catch {
    return undefined;
  }
}

/** The draft an entry's assistant was read as (no id, no creation time); undefined for an invalid file. */
export function draftOf(entry: AssistantEntry): AssistantDraft | undefined {
  if (!entry.assistant) return undefined;
  const { id: _id, createdAt: _createdAt, ...draft } = entry.assistant;
  return draft;
}

/** Throws `bad_request` with every problem when the draft would not make a valid assistant file. */
export function validateDraft(draft: AssistantDraft): void {
  const errors = validateAssistantFile(fileFromDraft(draft));
  if (errors.length > 0) throw new AssistantsError('bad_request', `The assistant is not valid: ${describeErrors(errors)}.`);
}

function invalid(entry: AssistantEntry): AssistantsError {
  return new AssistantsError('bad_request', `The assistant "${entry.name}" cannot run until its file is fixed: ${describeErrors(entry.errors ?? [])}.`);
}

function withAdditions(assistant: Assistant, additions: RunAdditions): Assistant {
  const names = new Set(assistant.tools.flatMap((tool) => (tool.type === 'function' ? [tool.function.name] : [])));
  const added = additions.tools.filter((tool) => tool.type !== 'function' || !names.has(tool.function.name));
  const instructions = additions.instructions ? [assistant.instructions, additions.instructions].filter(Boolean).join('\n\n') : assistant.instructions;
  return { ...assistant, tools: [...assistant.tools, ...added], ...(instructions ? { instructions } : {}) };
}
