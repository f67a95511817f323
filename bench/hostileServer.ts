/**
 * The hostile-input kinds about the server and what goes to it, for `npm run bench:hostile`:
 * a vector store filled by someone else that Sync Knowledge reads (escape: a workspace secret sent
 * up, or a file this extension did not add deleted), redirects to another origin (escape: a
 * credential header, or a request with a body, reaching it), a server object that vanished, in
 * a refusal or a failed run's own error (broken: not named with its kind and id), and the key in server text (escape: eight or more of
 * its characters in a row shown).
 */
import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { createOpenAIClient } from '../src/backends/openaiClient';
import { originBoundRedirects } from '../src/backends/redirects';
import { ResponsesBackend } from '../src/backends/responses/responsesBackend';
import { StreamRedactor } from '../src/backends/streamRedaction';
import { APIError } from 'openai';
import { redact, runErrorOf, toAssistantsError } from '../src/backends/errorMapping';
import { nodeWorkspaceFs } from '../src/core/workspace/fileSystem';
import { KnowledgeMark } from '../src/core/knowledge/mark';
import { sourceAttributes } from '../src/core/knowledge/plan';
import { locateKnowledgeSource } from '../src/core/knowledge/sources';
import { addToKnowledge, syncKnowledge } from '../src/core/knowledge/sync';
import { FakeOpenAIServer } from '../test/fakes/fakeServer';
import { memoryUploadIndex } from '../test/fakes/memoryUploadIndex';
import type { Input, Kind, Scene } from './hostileKind';
import { HOSTILE_KEY } from '../test/support/madeUpKeys';

const KEY = HOSTILE_KEY;
const SECRET = 'HOSTILE-SERVER-SECRET-5d1c';
const sha = (text: string) => createHash('sha256').update(text).digest('hex');

/** What someone else's file in the store carries, for a path: no mark, a made-up one, another key's, or one copied from another file. */
type Forgery = 'no mark' | 'made-up mark' | "another key's mark" | 'copied mark';

/**
 * Sync over a store holding someone else's file that names `named` (a workspace file holding the
 * secret, or, given as a function of the scene, the scene's file outside the workspace by a path
 * `outsideAs` describes), beside one file of this extension's own whose mark it may copy.
 */
function foreignEntry(forgery: Forgery, named: string | ((s: Scene) => string), prepare: (s: Scene) => void, outsideAs?: string): Input {
  return {
    label: `${forgery} naming ${typeof named === 'string' ? named : `a file outside the workspace (${outsideAs})`}`,
    async run(s) {
      prepare(s);
      // A path of the workspace is written there; one outside (a function of the scene) names the scene's own file outside.
      if (typeof named === 'string') s.ws.write(named, `${SECRET} in ${named}\n`);
      else fs.writeFileSync(path.join(s.outside, 'target.txt'), `${SECRET} outside\n`);
      const name = typeof named === 'string' ? named : named(s);
      const fake = await FakeOpenAIServer.start();
      try {
        const backend = new ResponsesBackend(createOpenAIClient({ protocol: 'responses', apiKey: KEY, baseUrl: fake.baseUrl }));
        const deps = { files: backend, fs: nodeWorkspaceFs, index: memoryUploadIndex(), provider: 'fake', mark: KnowledgeMark.fromApiKey(KEY) };
        const store = await backend.createVectorStore('Named by a repository', []);
        s.ws.write('docs/own.md', 'our own file\n');
        await addToKnowledge(store.id, [{ absolute: path.join(s.ws.root, 'docs/own.md'), path: 'docs/own.md' }], deps);
        const own = [...(fake.store.vectorStores.get(store.id)?.files.values() ?? [])][0];
        const planted = await backend.uploadFile('planted.md', new TextEncoder().encode('planted\n'), 'assistants');
        const h = sha('planted\n');
        const marks: Record<Forgery, string | undefined> = {
          'no mark': undefined,
          'made-up mark': 'f'.repeat(32),
          "another key's mark": KnowledgeMark.fromApiKey('sk-someone-else').sign({ vectorStoreId: store.id, fileId: planted.id, path: name, sha256: h }),
          'copied mark': String(own.attributes.assistants_mark),
        };
        await backend.createVectorStoreFileBatch(store.id, [{ fileId: planted.id, attributes: sourceAttributes(name, h, marks[forgery]) }]);
        const before = fake.requests.length;
        await syncKnowledge(store.id, (p) => locateKnowledgeSource(s.ws.confinement, nodeWorkspaceFs, p), deps, async () => true);
        const sent = fake.requests.slice(before);
        const uploadedSecret = sent.some((r) => r.method === 'POST' && r.path === '/files' && JSON.stringify(r.body ?? '').includes(SECRET)) || [...fake.store.files.values()].some((f) => f.data.toString('utf8').includes(SECRET));
        return { escaped: uploadedSecret || !fake.store.files.has(planted.id), note: `${sent.filter((r) => r.method !== 'GET').length} changes` };
      } finally {
        await fake.close();
      }
    },
  };
}

/** This extension's own file, after the filters came to keep it out: Sync must not read it again. */
function ownFileKeptOut(label: string, file: string, keepOut: (s: Scene) => void): Input {
  return {
    label,
    async run(s) {
      const fake = await FakeOpenAIServer.start();
      try {
        const backend = new ResponsesBackend(createOpenAIClient({ protocol: 'responses', apiKey: KEY, baseUrl: fake.baseUrl }));
        const deps = { files: backend, fs: nodeWorkspaceFs, index: memoryUploadIndex(), provider: 'fake', mark: KnowledgeMark.fromApiKey(KEY) };
        const store = await backend.createVectorStore('Mine', []);
        s.ws.write(file, 'harmless at first\n');
        await addToKnowledge(store.id, [{ absolute: path.join(s.ws.root, file), path: file }], deps);
        s.ws.write(file, `${SECRET} added later\n`);
        keepOut(s);
        await syncKnowledge(store.id, (p) => locateKnowledgeSource(s.ws.confinement, nodeWorkspaceFs, p), deps, async () => true);
        return { escaped: [...fake.store.files.values()].some((f) => f.data.toString('utf8').includes(SECRET)) };
      } finally {
        await fake.close();
      }
    },
  };
}

const CONFIGURED = 'https://api.example.test/v1/models';
const CREDENTIALS = { authorization: `Bearer ${KEY}`, 'api-key': KEY, cookie: 'session=1', 'proxy-authorization': 'Basic eDp5', 'openai-organization': 'org-1', 'openai-project': 'proj_1' };

/**
 * A request to `configured` redirected with `status` to `target`; an escape is a credential header,
 * or any request with a body, reaching another origin, or any request made to a URL that names no
 * server (`data:`, `file:`).
 */
function redirected(status: number, target: string, method: 'GET' | 'POST', configured = CONFIGURED): Input {
  return {
    label: `${method} redirected ${status} from ${new URL(configured).host} to ${target.slice(0, 48)}`,
    async run() {
      const reached: Array<{ url: string; headers: Headers }> = [];
      const inner = (async (input: string | URL | Request, init?: RequestInit) => {
        const url = String(input);
        reached.push({ url, headers: new Headers(init?.headers) });
        return url === configured ? new Response('', { status, headers: { location: target } }) : new Response('{}', { headers: { 'content-type': 'application/json' } });
      }) as typeof fetch;
      await originBoundRedirects(inner)(configured, { method, headers: CREDENTIALS, ...(method === 'POST' ? { body: `{"input":"${SECRET}"}` } : {}) }).catch(() => undefined);
      const elsewhere = reached.filter((r) => new URL(r.url).origin !== new URL(configured).origin);
      const leaked = elsewhere.some((r) => method === 'POST' || !/^https?:$/.test(new URL(r.url).protocol) || Object.keys(CREDENTIALS).some((name) => r.headers.has(name)));
      return { escaped: leaked, note: `${elsewhere.length} request(s) elsewhere` };
    },
  };
}

/**
 * Server text quoting `quote` (the key, or part of it, or the key written another way), masked
 * whole and streamed split at every position; an escape is 8 characters in a row of `ofKey` (the
 * part of the quote that comes of the key alone; the quote itself unless given) shown.
 */
function keyInText(label: string, quote: string, ofKey = quote): Input {
  return {
    label,
    async run() {
      const text = `upstream refused key "${quote}" for this project`;
      const shown = [redact(text, { apiKey: KEY })];
      const at = text.indexOf(quote);
      for (let cut = at; cut <= at + quote.length; cut++) {
        const redactor = new StreamRedactor({ apiKey: KEY });
        for (const piece of [text.slice(0, cut), text.slice(cut)]) for (const event of redactor.pass({ type: 'message.delta', messageId: 'm', index: 0, text: piece })) if (event.type === 'message.delta') shown.push(event.text);
        for (const event of redactor.flush()) if (event.type === 'message.delta') shown.push(event.text);
      }
      const runs = Array.from({ length: ofKey.length - 7 }, (_, i) => ofKey.slice(i, i + 8));
      return { escaped: shown.some((piece) => runs.some((run) => piece.includes(run))) };
    },
  };
}

/**
 * A server's refusal naming an object it no longer has, as `status` (404, 400) or as an error
 * frame in a stream (`undefined`); *broken*: it does not come back named, with its kind and id
 * (the chat would then offer no fix).
 */
function vanishedObject(said: string, status: number | undefined, expected: { object: string; id: string }): Input {
  return {
    label: `${status ?? 'stream frame'}: ${said.slice(0, 60)}`,
    async run() {
      const error = toAssistantsError(status === undefined ? new APIError(undefined, { message: said, code: null }, undefined, undefined) : APIError.generate(status, { error: { message: said } }, undefined, new Headers()));
      const named = error.options.missing;
      return { broken: named?.object !== expected.object || named.id !== expected.id, ...(named ? {} : { note: error.message.slice(0, 60) }) };
    },
  };
}

/** The same wording as a failed run's own error (v2 `last_error`, Responses `error`); *broken* as above. */
function vanishedRunError(said: string, expected: { object: string; id: string }): Input {
  return {
    label: `failed run: ${said.slice(0, 60)}`,
    async run() {
      const error = runErrorOf('server_error', said);
      const named = error.missing;
      return { broken: named?.object !== expected.object || named.id !== expected.id, ...(named ? {} : { note: error.message.slice(0, 60) }) };
    },
  };
}

const VANISHED_WORDINGS: Array<[string, { object: string; id: string }]> = [
  ["Conversation with id 'conv_68ab' not found.", { object: 'thread', id: 'conv_68ab' }],
  ["No thread found with id 'thread_abc123'.", { object: 'thread', id: 'thread_abc123' }],
  ["Previous response with id 'resp_0ab12' not found.", { object: 'thread', id: 'resp_0ab12' }],
  ['Conversation conv_9a8b7c does not exist or was deleted.', { object: 'thread', id: 'conv_9a8b7c' }],
  ["Vector store with id 'vs_9z12' not found.", { object: 'vector_store', id: 'vs_9z12' }],
  ["Invalid 'tools[0].vector_store_ids[0]': vector store vs_Q7r2 has expired.", { object: 'vector_store', id: 'vs_Q7r2' }],
  ['No such File object: file-Ab12Cd', { object: 'file', id: 'file-Ab12Cd' }],
  ["The file 'assistant-Xyz987Q' could not be found.", { object: 'file', id: 'assistant-Xyz987Q' }],
  ['file_9fe2c1d not found in vector store vs_abc123.', { object: 'file', id: 'file_9fe2c1d' }],
];

const gitignored = (s: Scene) => s.ws.write('.gitignore', 'secret.log\nbuild/\n');
const forgeries: Forgery[] = ['no mark', 'made-up mark', "another key's mark", 'copied mark'];
const named: Array<[string, (s: Scene) => void]> = [
  ['.env-production', () => undefined],
  ['config/.env_local', () => undefined],
  ['secret.log', gitignored],
  ['build/out.js', gitignored],
  ['docs/plain.md', () => undefined],
];

/** The kinds, in the order the bench lists them. */
export const SERVER_KINDS: Kind[] = [
  {
    name: 'knowledge store filled by someone else (Sync)',
    inputs: [
      ...forgeries.flatMap((forgery) => named.map(([file, prepare]) => foreignEntry(forgery, file, prepare))),
      ...forgeries.flatMap((forgery) => [
        foreignEntry(forgery, (s) => path.relative(s.ws.root, path.join(s.outside, 'target.txt')), () => undefined, '../…'),
        foreignEntry(forgery, (s) => path.join(s.outside, 'target.txt'), () => undefined, 'absolute'),
        foreignEntry(forgery, (s) => `docs/../${path.relative(s.ws.root, path.join(s.outside, 'target.txt'))}`, () => undefined, 'docs/../../…'),
      ]),
      ownFileKeptOut('own file, now gitignored', 'notes/later.md', (s) => s.ws.write('.gitignore', 'notes/later.md\n')),
      ownFileKeptOut('own file, now hidden by files.exclude', 'notes/hidden.md', (s) => s.ws.exclude.push('notes/hidden.md')),
      ownFileKeptOut('own file, its folder now gitignored', 'drafts/plan.md', (s) => s.ws.write('.gitignore', 'drafts/\n')),
    ],
  },
  {
    name: 'redirect to another origin (the key)',
    inputs: [301, 302, 303, 307, 308].flatMap((status) =>
      ['https://evil.example.test/v1/models', 'https://api.example.test:8443/v1/models', 'http://api.example.test/v1/models'].flatMap((target) => [redirected(status, target, 'GET'), redirected(status, target, 'POST')]),
    ),
  },
  {
    name: 'redirect to a lookalike or to no server',
    inputs: [
      ...[
        ['http://127.0.0.1:8080/v1/models', 'http://localhost:8080/v1/models'],
        ['http://127.0.0.1:8080/v1/models', 'http://[::1]:8080/v1/models'],
        [CONFIGURED, 'https://api.example.test.evil.example/v1/models'],
        [CONFIGURED, 'https://api.example.test@evil.example.test/v1/models'],
        [CONFIGURED, '//evil.example.test/v1/models'],
        [CONFIGURED, 'https:\\\\evil.example.test\\v1'],
      ].flatMap(([configured, target]) => [redirected(307, target, 'GET', configured), redirected(308, target, 'POST', configured)]),
      ...['data:application/json,{"object":"list","data":[]}', 'file:///etc/passwd', 'blob:https://api.example.test/0c8a', 'about:blank'].flatMap((target) => [redirected(302, target, 'GET'), redirected(307, target, 'POST')]),
    ],
  },
  {
    name: 'server object that vanished (named, with its fix)',
    inputs: VANISHED_WORDINGS.flatMap(([said, expected]) => [...[404, 400, undefined].map((status) => vanishedObject(said, status, expected)), vanishedRunError(said, expected)]),
  },
  {
    name: 'the key in server text (masked, streamed split)',
    inputs: [
      keyInText('whole key', KEY),
      keyInText('without sk-', KEY.slice(3)),
      keyInText('without sk-proj-', KEY.slice(8)),
      keyInText('its last 16 characters', KEY.slice(-16)),
      keyInText('its first 20 characters', KEY.slice(0, 20)),
      keyInText('in capitals', KEY.toUpperCase()),
      keyInText('URL-encoded in a query', `/v1/models?key=${encodeURIComponent(KEY)}`, KEY),
      keyInText('in base64, a Basic header', `Basic ${Buffer.from(`:${KEY}`).toString('base64')}`, Buffer.from(`:${KEY}`).toString('base64').slice(3, -3)),
      keyInText('in base64 after "Bearer "', Buffer.from(`Bearer ${KEY}`).toString('base64'), Buffer.from(`Bearer ${KEY}`).toString('base64').slice(11, -3)),
      keyInText('in base64url after two bytes', Buffer.from(`:x${KEY}`).toString('base64url'), Buffer.from(`:x${KEY}`).toString('base64url').slice(4, -3)),
    ],
  },
];

