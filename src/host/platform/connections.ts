import { createHash } from 'node:crypto';
import * as vscode from 'vscode';
import type { Connection } from '../../backends/connect';
import type { AssistantStore } from '../../core/assistants/assistantStore';
import type { Backend } from '../../core/backend';
import { AssistantsError } from '../../core/errors';
import { KnowledgeMark } from '../../core/knowledge/mark';
import type { ProviderConfig } from '../../core/provider';
import type { ApiKeyStore } from './apiKey';
import { Disposable } from './lifecycle';
import type { AssistantsSettings } from './settings';
import { providerLabel, readSettings } from './settings';

/** Where uploads go: the current backend and a name for its server and key (file ids belong to both). */
export interface UploadTarget {
  backend: Backend;
  provider: string;
  /** Marks knowledge files as added here, under this key (see `KnowledgeMark`). */
  mark: KnowledgeMark;
}

export interface ConnectionsDeps {
  apiKeys: ApiKeyStore;
  /** Makes the backend (and, under Assistants v2, the server's assistant store) for a provider. */
  connect(config: ProviderConfig): Connection;
  log: vscode.LogOutputChannel;
  /** True when `npm start -- --mock` pointed the extension at the project's fake server. */
  mock: boolean;
}

/**
 * The connection to the server the settings and the stored key name, for everything that reaches
 * it (the chat, attachments and knowledge, the assistant form, tests, commands): made on first use
 * and kept until the `assistants` settings or the key change.
 */
export class Connections extends Disposable {
  private connection: { key: string; connection: Connection } | undefined;

  constructor(private readonly deps: ConnectionsDeps) {
    super();
    this.register(vscode.workspace.onDidChangeConfiguration((event) => {
      if (event.affectsConfiguration('assistants')) this.connection = undefined;
    }));
    this.register(deps.apiKeys.onDidChange(() => (this.connection = undefined)));
  }

  /** The connection for the current settings and key; throws `no_api_key` when no key is set. */
  async connect(): Promise<Connection> {
    const settings = readSettings();
    const key = await this.deps.apiKeys.get();
    if (!key) throw new AssistantsError('no_api_key', 'No API key is set. Run "Assistants: Set API Key" first.');
    const config = providerConfig(settings, key.key);
    const cacheKey = JSON.stringify({ ...config, apiKey: undefined }) + key.source;
    if (!this.connection || this.connection.key !== cacheKey) {
      this.connection = { key: cacheKey, connection: this.deps.connect(config) };
      this.deps.log.info(`Connected to ${providerLabel(settings, this.deps.mock)} (${settings.protocol}, key from ${key.source}).`);
    }
    return this.connection.connection;
  }

  /** The backend for the current settings and key (for whatever reaches the server). */
  async backend(): Promise<Backend> {
    return (await this.connect()).backend;
  }

  /** The Assistants v2 server's assistant store, when that is the protocol and a key is set; else undefined. */
  async serverAssistants(): Promise<AssistantStore | undefined> {
    if (readSettings().protocol !== 'assistantsV2' || !(await this.deps.apiKeys.get())) return undefined;
    return (await this.connect()).serverAssistants;
  }

  /** The backend uploads go to, and a name for its server and key: a file id means nothing elsewhere. */
  async uploadTarget(): Promise<UploadTarget> {
    const { backend } = await this.connect();
    const settings = readSettings();
    const key = await this.deps.apiKeys.get();
    const keyHash = createHash('sha256').update(key?.key ?? '').digest('hex').slice(0, 16);
    return { backend, provider: `${settings.provider} ${settings.baseUrl} ${keyHash}`, mark: KnowledgeMark.fromApiKey(key?.key ?? '') };
  }
}

/** The provider a connection is made for: the settings' server (OpenAI-compatible or Azure) and the key. */
export function providerConfig(settings: AssistantsSettings, apiKey: string): ProviderConfig {
  if (settings.provider === 'azure') {
    return { protocol: settings.protocol, apiKey, azure: { endpoint: settings.baseUrl, apiVersion: settings.azureApiVersion } };
  }
  return { protocol: settings.protocol, apiKey, baseUrl: settings.baseUrl };
}
