import * as assert from 'node:assert/strict';
import * as http from 'node:http';
import type { AddressInfo } from 'node:net';
import type * as vscode from 'vscode';
import { connect } from '../../../../src/backends/connect';
import type { KeyScope } from '../../../../src/core/provider';
import { keyScope } from '../../../../src/core/provider';
import { ApiKeyStore } from '../../../../src/host/platform/apiKey';

/** VS Code's SecretStorage, in memory; `values` is everything it holds, for the test to inspect. */
class MemorySecrets {
  readonly values = new Map<string, string>();
  private readonly listeners = new Set<(event: vscode.SecretStorageChangeEvent) => void>();

  get(key: string): Promise<string | undefined> {
    return Promise.resolve(this.values.get(key));
  }

  store(key: string, value: string): Promise<void> {
    this.values.set(key, value);
    this.fire(key);
    return Promise.resolve();
  }

  delete(key: string): Promise<void> {
    this.values.delete(key);
    this.fire(key);
    return Promise.resolve();
  }

  onDidChange = (listener: (event: vscode.SecretStorageChangeEvent) => void): vscode.Disposable => {
    this.listeners.add(listener);
    return { dispose: () => this.listeners.delete(listener) } as vscode.Disposable;
  };

  private fire(key: string): void {
    for (const listener of this.listeners) listener({ key });
  }
}

const OPENAI = keyScope('openai', 'https://api.openai.com/v1');

function store(secrets: MemorySecrets, scope: () => KeyScope, env: NodeJS.ProcessEnv = {}): ApiKeyStore {
  return new ApiKeyStore(secrets as unknown as vscode.SecretStorage, scope, env);
}

describe('keyScope: one key per provider and server', () => {
  it('tells OpenAI, an Azure resource and a custom base URL apart', () => {
    const azure = keyScope('azure', 'https://contoso.openai.azure.com');
    const local = keyScope('openai', 'http://localhost:8000/v1');
    assert.deepEqual(OPENAI, { id: 'openai https://api.openai.com/v1', label: 'OpenAI' });
    assert.deepEqual(azure, { id: 'azure https://contoso.openai.azure.com', label: 'Azure OpenAI at contoso.openai.azure.com' });
    assert.deepEqual(local, { id: 'openai http://localhost:8000/v1', label: 'localhost:8000/v1' });
    assert.equal(new Set([OPENAI.id, azure.id, local.id]).size, 3);
  });

  it('gives one Azure resource one key, whichever of its endpoints; a trailing slash changes nothing', () => {
    assert.equal(keyScope('azure', 'https://contoso.openai.azure.com/openai/v1').id, keyScope('azure', 'https://contoso.openai.azure.com').id);
    assert.equal(keyScope('openai', 'http://localhost:8000/v1/').id, keyScope('openai', 'http://localhost:8000/v1').id);
    assert.notEqual(keyScope('openai', 'http://localhost:8000/v1').id, keyScope('openai', 'http://localhost:9000/v1').id);
  });
});

describe('ApiKeyStore: keys per provider in secret storage', () => {
  it('keeps a key per scope: switching the base URL switches the key, and back', async () => {
    const secrets = new MemorySecrets();
    let scope = OPENAI;
    const keys = store(secrets, () => scope);
    assert.deepEqual(await keys.set('  sk-openai-key '), OPENAI);
    scope = keyScope('openai', 'http://localhost:8000/v1');
    assert.equal(await keys.get(), undefined, 'the OpenAI key is not offered to another server');
    await keys.set('local-key');
    assert.deepEqual(await keys.get(), { key: 'local-key', source: 'secretStorage' });
    scope = OPENAI;
    assert.deepEqual(await keys.get(), { key: 'sk-openai-key', source: 'secretStorage' });
  });

  it('Clear acts on the current scope only and says whether it had a key', async () => {
    const secrets = new MemorySecrets();
    let scope = OPENAI;
    const keys = store(secrets, () => scope);
    await keys.set('sk-openai-key');
    scope = keyScope('azure', 'https://contoso.openai.azure.com');
    await keys.set('azure-key');
    assert.deepEqual(await keys.clear(), { scope, removed: true, environment: false });
    assert.deepEqual(await keys.clear(), { scope, removed: false, environment: false });
    assert.equal(await keys.get(), undefined);
    scope = OPENAI;
    assert.equal((await keys.get())?.key, 'sk-openai-key');
  });

  it('falls back to OPENAI_API_KEY for a scope with no stored key', async () => {
    const keys = store(new MemorySecrets(), () => OPENAI, { OPENAI_API_KEY: ' env-key ' });
    assert.deepEqual(await keys.get(), { key: 'env-key', source: 'environment' });
    await keys.set('stored');
    assert.deepEqual(await keys.get(), { key: 'stored', source: 'secretStorage' });
    // Clear must not let the user think no key goes out any more.
    assert.deepEqual(await keys.clear(), { scope: OPENAI, removed: true, environment: true });
    assert.deepEqual(await keys.get(), { key: 'env-key', source: 'environment' });
  });

  it('moves the single key of earlier versions to the current scope, once', async () => {
    const secrets = new MemorySecrets();
    secrets.values.set('assistants.apiKey', 'sk-legacy');
    const local = keyScope('openai', 'http://localhost:8000/v1');
    let scope = local;
    const keys = store(secrets, () => scope);
    assert.deepEqual(await keys.get(), { key: 'sk-legacy', source: 'secretStorage' });
    assert.equal(secrets.values.has('assistants.apiKey'), false, 'the old secret is gone');
    scope = OPENAI;
    assert.equal(await keys.get(), undefined, 'it went to the server it was used with, not to every server');
  });

  it('does not let the old key overwrite a key the scope already has', async () => {
    const secrets = new MemorySecrets();
    await store(secrets, () => OPENAI).set('sk-new');
    secrets.values.set('assistants.apiKey', 'sk-legacy');
    assert.equal((await store(secrets, () => OPENAI).get())?.key, 'sk-new');
    assert.equal(secrets.values.has('assistants.apiKey'), false);
  });

  it('tells listeners when a scoped key changes', async () => {
    const secrets = new MemorySecrets();
    const keys = store(secrets, () => OPENAI);
    let changes = 0;
    keys.onDidChange(() => changes++);
    await keys.set('one');
    await keys.clear();
    assert.equal(changes, 2);
  });

  it('names secrets by provider and server, never by the key', async () => {
    const secrets = new MemorySecrets();
    const keys = store(secrets, () => keyScope('openai', 'http://localhost:8000/v1'));
    await keys.set('sk-very-secret');
    for (const name of secrets.values.keys()) assert.ok(!name.includes('sk-very-secret'), name);
  });
});

describe('ApiKeyStore with the backend: each server gets its own key', () => {
  const servers: http.Server[] = [];
  after(() => servers.forEach((server) => server.close()));

  /** A server that answers the models list and records the Authorization header of each request. */
  async function recordingServer(): Promise<{ baseUrl: string; authorizations: string[] }> {
    const authorizations: string[] = [];
    const server = http.createServer((req, res) => {
      authorizations.push(req.headers.authorization ?? '');
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ object: 'list', data: [{ id: 'm', object: 'model', created: 0, owned_by: 'me' }] }));
    });
    servers.push(server);
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    return { baseUrl: `http://127.0.0.1:${(server.address() as AddressInfo).port}/v1`, authorizations };
  }

  it('sends the key of the base URL in force', async () => {
    const first = await recordingServer();
    const second = await recordingServer();
    let baseUrl = first.baseUrl;
    const keys = store(new MemorySecrets(), () => keyScope('openai', baseUrl));
    await keys.set('key-for-first');
    baseUrl = second.baseUrl;
    await keys.set('key-for-second');
    for (const target of [first, second]) {
      baseUrl = target.baseUrl;
      const key = await keys.get();
      assert.ok(key);
      await connect({ protocol: 'responses', apiKey: key.key, baseUrl }).backend.listModels(AbortSignal.timeout(5000));
    }
    assert.deepEqual(first.authorizations, ['Bearer key-for-first']);
    assert.deepEqual(second.authorizations, ['Bearer key-for-second']);
  });
});
