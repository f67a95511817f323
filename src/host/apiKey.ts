import type * as vscode from 'vscode';

const SECRET_KEY = 'assistants.apiKey';

/**
 * The API key lives in SecretStorage only; `OPENAI_API_KEY` from the environment is the fallback.
 * It is never written to settings, logs or the webview.
 */
export class ApiKeyStore {
  constructor(private readonly secrets: vscode.SecretStorage, private readonly env: NodeJS.ProcessEnv = process.env) {}

  readonly onDidChange = (listener: () => void): vscode.Disposable =>
    this.secrets.onDidChange((event) => {
      if (event.key === SECRET_KEY) listener();
    });

  async get(): Promise<{ key: string; source: 'secretStorage' | 'environment' } | undefined> {
    const stored = await this.secrets.get(SECRET_KEY);
    if (stored) return { key: stored, source: 'secretStorage' };
    const fromEnv = this.env.OPENAI_API_KEY?.trim();
    return fromEnv ? { key: fromEnv, source: 'environment' } : undefined;
  }

  async set(key: string): Promise<void> {
    await this.secrets.store(SECRET_KEY, key.trim());
  }

  async clear(): Promise<void> {
    await this.secrets.delete(SECRET_KEY);
  }
}
