import * as assert from 'node:assert/strict';
import { connect } from '../../../src/backends/connect';
import { checkConnection } from '../../../src/core/connectionCheck';
import { FakeOpenAIServer } from '../../fakes/fakeServer';

describe('Test Connection', () => {
  let fake: FakeOpenAIServer;
  beforeEach(async () => {
    fake = await FakeOpenAIServer.start();
  });
  afterEach(() => fake.close());

  for (const protocol of ['responses', 'assistantsV2'] as const) {
    it(`reports each capability of a working ${protocol} server on its own line`, async () => {
      const { backend, serverAssistants } = connect({ protocol, apiKey: 'sk-check', baseUrl: fake.baseUrl });
      const lines = await checkConnection(backend, serverAssistants);
      assert.deepEqual(lines.map((l) => l.ok), lines.map(() => true));
      assert.deepEqual(lines.map((l) => l.what), protocol === 'responses' ? ['Key and models', 'Conversations', 'Vector stores'] : ['Key and models', 'Threads', 'Vector stores', 'Server assistants']);
      assert.match(lines[0].detail, /key accepted, \d+ models listed/);
    });
  }

  it('says which parts fail, in sentences, without hiding the ones that work', async () => {
    fake.inject({ path: '/models', kind: 'server_error', times: 10 });
    const { backend } = connect({ protocol: 'responses', apiKey: 'sk-check', baseUrl: fake.baseUrl });
    const lines = await checkConnection(backend, undefined);
    assert.equal(lines[0].ok, false);
    assert.ok(lines[0].detail.length > 0 && !/at .*\.ts:\d+/.test(lines[0].detail), 'a sentence, no stack');
    assert.equal(lines[2].ok, true);
  });
});
