import type { KeyValueState } from '../assistants/assistantService';
import type { UploadIndex } from './uploads';

/** Where the index lives in the state: provider → index key → file id. */
const INDEX_KEY = 'assistants.uploads';

type Entries = Record<string, Record<string, string>>;

/**
 * Index key to file id, per provider, kept in state every workspace shares (VS Code's `globalState`:
 * file ids outlive a workspace).
 *
 * VS Code's shared state can hand back an older snapshot of the whole record for a moment: the
 * extension host replaces its copy with each value the main side reports, and the main side reports
 * this window's own earlier writes back while later ones are still on their way. A read-modify-write
 * in that moment would drop the later entries (several uploads finishing together lost their ids, and
 * their files were uploaded again). So this window's own changes are kept here too and laid over
 * whatever the state says on every read and every write; entries other windows wrote still come
 * through the state.
 */
export class StateUploadIndex implements UploadIndex {
  /** This window's changes: a file id, or `null` for one forgotten. */
  private readonly own = new Map<string, Map<string, string | null>>();

  constructor(private readonly state: KeyValueState) {}

  get(provider: string, key: string): string | undefined {
    return this.all()[provider]?.[key];
  }

  async set(provider: string, key: string, fileId: string): Promise<void> {
    this.ownFor(provider).set(key, fileId);
    await this.state.update(INDEX_KEY, this.all());
  }

  async forget(provider: string, fileId: string): Promise<void> {
    const own = this.ownFor(provider);
    for (const [key, id] of Object.entries(this.all()[provider] ?? {})) if (id === fileId) own.set(key, null);
    await this.state.update(INDEX_KEY, this.all());
  }

  private ownFor(provider: string): Map<string, string | null> {
    let own = this.own.get(provider);
    if (!own) this.own.set(provider, (own = new Map()));
    return own;
  }

  /** The state's record with this window's changes laid over it. */
  private all(): Entries {
    const stored = this.state.get<Entries>(INDEX_KEY) ?? {};
    const merged: Entries = { ...stored };
    for (const [provider, own] of this.own) {
      const entries = { ...stored[provider] };
      for (const [key, id] of own) {
        if (id === null) delete entries[key];
        else entries[key] = id;
      }
      merged[provider] = entries;
    }
    return merged;
  }
}
