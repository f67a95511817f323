import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { connect } from '../../../src/backends/connect';
import type { ChatUpdate } from '../../../src/core/chat/chatSession';
import { ChatSession } from '../../../src/core/chat/chatSession';
import type { AssistantsError } from '../../../src/core/errors';
import { nodeFileSystem } from '../../../src/core/workspace/fileSystem';
import type { Assistant, BackendKind } from '../../../src/common/model';
import { ThreadStore } from '../../../src/core/threads/threadStore';
import { FakeOpenAIServer } from '../../fakes/fakeServer';
import type { Turn } from '../../fakes/scriptedModel';
import { madeUpKey } from '../../support/madeUpKeys';

/** Not shaped like an OpenAI key, so only knowing the key itself can mask it. */
const KEY = 'proxykey-0123456789abcdef-TOPSECRET';

function filesUnder(dir: string): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const full = path.join(dir, entry.name);
    return entry.isDirectory() ? filesUnder(full) : [full];
  });
}

/** Runs whose server text quotes the key: a failed run, an incomplete one, a tool output. */
const echoingTurns = (): Turn[] => [
  { steps: [{ type: 'text', text: 'Starting.' }], outcome: { status: 'failed', code: 'invalid_request', message: `Upstream refused header "Authorization: Bearer ${KEY}"` } },
  { steps: [{ type: 'text', text: 'Partial.' }], outcome: { status: 'incomplete', reason: `proxy_cut Bearer ${KEY}` } },
  { steps: [{ type: 'code_interpreter', code: 'print(env)', logs: `OPENAI_API_KEY=${KEY}\n` }, { type: 'text', text: 'Done.' }] },
  // The key split across many deltas: no one delta holds it whole.
  { steps: [{ type: 'text', text: `Your key is ${KEY}, and ${madeUpKey('sk-proj', 'FAKE4notArealKEY4fo')} is another.`, chunkSize: 3 }] },
];

/** Every 6-character piece of the key: a delta holding one shows part of the key. */
const keyPieces = Array.from({ length: KEY.length - 5 }, (_, i) => KEY.slice(i, i + 6));

for (const protocol of ['responses', 'assistantsV2'] as BackendKind[]) {
  for (const streaming of [true, false]) {
    describe(`The key never leaves (${protocol}, ${streaming ? 'streamed' : 'polled'})`, () => {
      let fake: FakeOpenAIServer;
      let dir: string;

      beforeEach(async () => {
        fake = await FakeOpenAIServer.start({ timeScale: 0.05 });
        dir = fs.mkdtempSync(path.join(os.tmpdir(), 'key-leak-'));
      });
      afterEach(async () => {
        await fake.close();
        fs.rmSync(dir, { recursive: true, force: true });
      });

      it('keeps a key the server echoes out of every file written and every update for the chat view', async () => {
        const { backend, serverAssistants } = connect({ protocol, apiKey: KEY, baseUrl: fake.baseUrl });
        const draft = { name: 'Test', model: 'gpt-test', instructions: 'Be brief.', tools: [{ type: 'code_interpreter' as const }] };
        const assistant: Assistant = serverAssistants ? (await serverAssistants.create(draft)).assistant! : { ...draft, id: 'default', createdAt: 0 };
        const updates: ChatUpdate[] = [];
        const errors: AssistantsError[] = [];
        const session = new ChatSession({
          store: new ThreadStore(nodeFileSystem, dir),
          connect: async () => backend,
          assistant: async () => assistant,
          toolHandler: { handle: async () => [] },
          driver: () => ({ preferStreaming: streaming, poll: { initialMs: 20, maxMs: 60 } }),
          onUpdate: (update) => updates.push(update),
          onError: (error) => errors.push(error),
        });
        fake.model.enqueue(...echoingTurns());
        for (const text of ['one', 'two', 'three', 'four']) {
          await session.send(text);
          await session.whenIdle();
        }
        const serverSaid = JSON.stringify(fake.requests.map((r) => r.response));
        assert.ok(serverSaid.includes(KEY), 'the scripted server did echo the key');
        const runs = Object.values(session.thread?.runs ?? {}).map((r) => r.run.status);
        assert.deepEqual(runs, ['failed', 'incomplete', 'completed', 'completed']);
        const written = filesUnder(dir);
        assert.ok(written.length > 0);
        for (const file of written) assert.ok(!fs.readFileSync(file, 'utf8').includes(KEY), `${path.basename(file)} holds the key`);
        // What the chat view shows while the answer streams: its deltas, joined.
        const streamed = updates.flatMap((u) => (u.type === 'run' && u.event.type === 'message.delta' ? [u.event.text] : [])).join('');
        assert.ok(streamed.includes('Your key is ***'), 'the answer streamed');
        for (const piece of keyPieces) assert.ok(!streamed.includes(piece), `the streamed answer holds part of the key: ${piece}`);
        assert.ok(!/AbCdEf|0123456789xyz/.test(streamed), 'the streamed answer holds part of an OpenAI-shaped key');
        assert.ok(JSON.stringify(session.thread?.messages).includes('Your key is ***, and sk-*** is another.'), 'the answer is kept, with the keys masked');
        assert.ok(!JSON.stringify(errors.map((e) => e.message)).includes(KEY), 'an error notice holds the key');
        assert.ok(JSON.stringify(session.thread).includes('Authorization: Bearer ***'), 'the rest of the server text is kept');
      });

      it('keeps the key a function answers with (a workspace file that holds it) out of what is sent, kept and shown', async () => {
        const { backend, serverAssistants } = connect({ protocol, apiKey: KEY, baseUrl: fake.baseUrl });
        const draft = { name: 'Test', model: 'gpt-test', instructions: 'Be brief.', tools: [{ type: 'function' as const, function: { name: 'read_config', parameters: { type: 'object', properties: {} } } }] };
        const assistant: Assistant = serverAssistants ? (await serverAssistants.create(draft)).assistant! : { ...draft, id: 'default', createdAt: 0 };
        // The key as a file may hold it: as it is, in capitals, in a Basic header, URL-encoded in a URL.
        const outputs = [`OPENAI_API_KEY=${KEY}`, `key: ${KEY.toUpperCase()}`, `auth: Basic ${Buffer.from(`:${KEY}`).toString('base64')}`, `url: https://x.test/?k=${encodeURIComponent(KEY)}`];
        const updates: ChatUpdate[] = [];
        const session = new ChatSession({
          store: new ThreadStore(nodeFileSystem, dir),
          connect: async () => backend,
          assistant: async () => assistant,
          toolHandler: { handle: async (calls) => calls.map((call, i) => ({ callId: call.callId, output: outputs[i % outputs.length] })) },
          driver: () => ({ preferStreaming: streaming, poll: { initialMs: 20, maxMs: 60 } }),
          onUpdate: (update) => updates.push(update),
          onError: () => undefined,
        });
        fake.model.enqueue(...outputs.map(() => ({ steps: [{ type: 'function_call' as const, name: 'read_config', arguments: {} }] })), { steps: [{ type: 'text', text: 'Read.' }] });
        await session.send('read it');
        await session.whenIdle();
        const sent = JSON.stringify(fake.requests.map((r) => r.body));
        const base64 = Buffer.from(`:${KEY}`).toString('base64').slice(3, -3);
        const shown = JSON.stringify(updates);
        const kept = filesUnder(dir).map((file) => fs.readFileSync(file, 'utf8')).join('\n');
        for (const [where, text] of [['sent to the server', sent], ['shown in the chat', shown], ['kept in the thread', kept]]) {
          assert.ok(text.includes('OPENAI_API_KEY=***'), `the output is ${where}, masked`);
          for (const written of [KEY, KEY.toUpperCase(), base64, encodeURIComponent(KEY)]) {
            for (let i = 0; i + 8 <= written.length; i++) assert.ok(!text.includes(written.slice(i, i + 8)), `${where} holds part of the key: ${written.slice(i, i + 8)}`);
          }
        }
      });
    });
  }
}
