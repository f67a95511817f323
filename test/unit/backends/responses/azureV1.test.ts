import * as assert from 'node:assert/strict';
import { createOpenAIClient } from '../../../../src/backends/openaiClient';
import { ResponsesBackend } from '../../../../src/backends/responses/responsesBackend';
import type { Assistant, Thread } from '../../../../src/common/model';
import { RunDriver } from '../../../../src/core/runs/runDriver';
import { FakeOpenAIServer } from '../../../fakes/fakeServer';
import { echoTools, textOf } from './harness';

describe('Azure OpenAI v1 endpoint', () => {
  let fake: FakeOpenAIServer;
  beforeEach(async () => {
    fake = await FakeOpenAIServer.start({ azureV1: true });
  });
  afterEach(async () => {
    await fake.close();
  });

  for (const [label, endpoint, apiVersion] of [
    ['the resource URL and API version v1', '', 'v1'],
    ['a base URL ending in /openai/v1', '/openai/v1/', '2025-04-01-preview'],
  ] as const) {
    it(`runs a thread on /openai/v1/ with the api-key header and no api-version (${label})`, async () => {
      const client = createOpenAIClient({ protocol: 'responses', apiKey: 'azure-key-123', azure: { endpoint: fake.endpoint + endpoint, apiVersion } });
      const backend = new ResponsesBackend(client);
      const assistant: Assistant = { id: 'asst_helper', createdAt: 0, name: 'Helper', model: 'my-deployment', tools: [] };
      const { remoteId } = await backend.createThread();
      const thread: Thread = { id: 't', title: 'Azure', createdAt: 1, updatedAt: 1, backend: 'responses', ...(remoteId ? { remoteId } : {}) };
      const message = await backend.addMessage(thread, { content: [{ type: 'text', text: 'Hi', annotations: [] }] });
      fake.model.enqueue({ steps: [{ type: 'text', text: 'Hello from Azure.' }] });
      const result = await new RunDriver(backend, { toolHandler: echoTools }).run({ kind: 'start', thread, assistant, history: [message] }, () => undefined);
      assert.equal(textOf(result.messages[0]), 'Hello from Azure.');
      assert.ok(fake.requests.length >= 3);
      for (const request of fake.requests) {
        assert.equal(request.status < 400, true, `${request.method} ${request.path} answered ${request.status}`);
        assert.equal(request.headers['api-key'], '<redacted>');
        assert.equal(request.headers.authorization, undefined, 'no bearer token');
        assert.doesNotMatch(request.query, /api-version/);
      }
    });
  }

  it('the fake refuses a request shaped for OpenAI (bearer token, /v1 path)', async () => {
    const client = createOpenAIClient({ protocol: 'responses', apiKey: 'azure-key-123', baseUrl: fake.baseUrl });
    await assert.rejects(client.conversations.create({}), (error: Error & { status?: number }) => error.status === 404 || error.status === 401);
  });
});
