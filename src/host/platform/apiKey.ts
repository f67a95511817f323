import type * as vscode from 'vscode';
import type { KeyScope } from '../../core/provider';

/** Where the one key of earlier versions was kept, for every provider alike. */
const LEGACY_SECRET = 'assistants.apiKey';
const SECRET_PREFIX = 'assistants.apiKey:';

/**
 * API keys live in SecretStorage only, one per provider and server (`KeyScope`): the current
 * settings say which one `get`, `set` and `clear` act on. `OPENAI_API_KEY` from the environment is
 * the fallback for every provider. A key is never written to settings, logs or the webview.
 *
 * The single key of earlier versions is moved, on first use, to the scope of the settings then in
 * force (the server it was being sent to), unless that scope already has a key of its own.
 */
export class ApiKeyStore {
  private migrated: Promise<void> | undefined;

  constructor(
    private readonly secrets: vscode.SecretStorage,
    /** The scope of the current settings (provider and base URL). */
    readonly scope: () => KeyScope,
    private readonly env: NodeJS.ProcessEnv = process.env,
  ) {}

  readonly onDidChange = (listener: () => void): vscode.Disposable =>
    this.secrets.onDidChange((event) => {
      if (event.key.startsWith(SECRET_PREFIX)) listener();
    });

  /** The key for the current scope: its stored key, else the environment's. */
  async get(): Promise<{ key: string; source: 'secretStorage' | 'environment' } | undefined> {
    await this.migrate();
    const stored = await this.secrets.get(secretName(this.scope()));
    if (stored) return { key: stored, source: 'secretStorage' };
    const fromEnv = this.env.OPENAI_API_KEY?.trim();
    return fromEnv ? { key: fromEnv, source: 'environment' } : undefined;
  }

  /** Stores `key` for the current scope; returns that scope, for the confirmation. */
  async set(key: string): Promise<KeyScope> {
    await this.migrate();
    const scope = this.scope();
    await this.secrets.store(secretName(scope), key.trim());
    return scope;
  }

  /**
   * Removes the current scope's stored key; says which scope, whether it had one, and whether
   * requests still carry a key (`OPENAI_API_KEY` from the environment), so the confirmation is true.
   */
  async clear(): Promise<{ scope: KeyScope; removed: boolean; environment: boolean }> {
    await this.migrate();
    const scope = this.scope();
    const removed = (await this.secrets.get(secretName(scope))) !== undefined;
    if (removed) await this.secrets.delete(secretName(scope));
    return { scope, removed, environment: Boolean(this.env.OPENAI_API_KEY?.trim()) };
  }

  private migrate(): Promise<void> {
    this.migrated ??= (async () => {
      const legacy = await this.secrets.get(LEGACY_SECRET);
      if (legacy === undefined) return;
      const name = secretName(this.scope());
      if (legacy && (await this.secrets.get(name)) === undefined) await this.secrets.store(name, legacy);
      await this.secrets.delete(LEGACY_SECRET);
    })().catch((error: unknown) => {
      // Tried again on the next use.
      this.migrated = undefined;
      throw error;
    });
    return this.migrated;
  }
}

/** The secret's name for a scope: it names the provider and server, never the key. */
function secretName(scope: KeyScope): string {
  return `${SECRET_PREFIX}${scope.id}`;
}
