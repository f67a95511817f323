import * as assert from 'node:assert/strict';
import * as http from 'node:http';
import type { AddressInfo } from 'node:net';
import { toAssistantsError } from '../../../src/backends/errorMapping';
import { createOpenAIClient } from '../../../src/backends/openaiClient';
import { MAX_REDIRECTS, RedirectRefusedError, originBoundRedirects } from '../../../src/backends/redirects';
import { madeUpKey } from '../../support/madeUpKeys';

const CONFIGURED = 'https://api.example.test/v1/models';
/** What a request carries that names who sends it, and what only describes it. */
const CREDENTIALS = {
  authorization: `Bearer ${madeUpKey('sk-proj', 'FAKE-secret-for-tests')}`,
  'api-key': 'azure-0123456789abcdef',
  cookie: 'session=abc',
  'proxy-authorization': 'Basic dXNlcjpwYXNz',
  'openai-organization': 'org-123',
  'openai-project': 'proj_456',
  'x-api-key': 'another-secret',
  'idempotency-key': 'stainless-retry-1',
};
const DESCRIPTIVE = { accept: 'application/json', 'user-agent': 'OpenAI/JS 7', 'x-stainless-lang': 'js', 'openai-beta': 'assistants=v2' };

interface Seen {
  url: string;
  method: string;
  headers: Record<string, string>;
  body: string | null;
}

/** A fetch that answers each URL from `routes` (a redirect, or 200) and records every request it got. */
function scripted(routes: Record<string, { status: number; location?: string }>): { fetch: typeof fetch; seen: Seen[] } {
  const seen: Seen[] = [];
  const fetchFn = async (input: string | URL | Request, init?: RequestInit): Promise<Response> => {
    const url = String(input);
    assert.equal(init?.redirect, 'manual', 'redirects are never left to the inner fetch');
    const headers: Record<string, string> = {};
    new Headers(init?.headers).forEach((value, name) => (headers[name] = value));
    seen.push({ url, method: init?.method ?? 'GET', headers, body: typeof init?.body === 'string' ? init.body : init?.body ? '(body)' : null });
    const route = routes[url] ?? { status: 200 };
    return new Response(route.status === 200 ? '{"ok":true}' : 'moved', { status: route.status, headers: route.location ? { location: route.location, 'content-type': 'application/json' } : { 'content-type': 'application/json' } });
  };
  return { fetch: fetchFn as typeof fetch, seen };
}

const elsewhere = [
  ['another host', 'https://evil.example.test/v1/models'],
  ['another port', 'https://api.example.test:8443/v1/models'],
  ['another scheme', 'http://api.example.test/v1/models'],
] as const;

describe('redirects keep the key at the configured origin', () => {
  for (const status of [301, 302, 303, 307, 308]) {
    for (const [label, target] of elsewhere) {
      it(`a GET redirected with ${status} to ${label} follows without any credential header`, async () => {
        const { fetch: inner, seen } = scripted({ [CONFIGURED]: { status, location: target } });
        const response = await originBoundRedirects(inner)(CONFIGURED, { method: 'GET', headers: { ...CREDENTIALS, ...DESCRIPTIVE } });
        assert.equal(response.status, 200);
        assert.deepEqual(seen.map((s) => s.url), [CONFIGURED, target]);
        assert.deepEqual(seen[0].headers, { ...CREDENTIALS, ...DESCRIPTIVE }, 'the configured server gets everything');
        assert.deepEqual(seen[1].headers, DESCRIPTIVE, 'the other origin gets no credential');
      });

      it(`a POST redirected with ${status} to ${label} is refused, and nothing is sent there`, async () => {
        const { fetch: inner, seen } = scripted({ [CONFIGURED]: { status, location: target } });
        await assert.rejects(originBoundRedirects(inner)(CONFIGURED, { method: 'POST', headers: CREDENTIALS, body: '{"input":"private"}' }), (error: unknown) => {
          assert.ok(error instanceof RedirectRefusedError);
          assert.equal(error.reason, 'cross_origin');
          assert.equal(error.to, new URL(target).origin);
          return true;
        });
        assert.deepEqual(seen.map((s) => s.url), [CONFIGURED]);
      });
    }
  }

  it('a relative Location stays on the origin and keeps every header; 307 and 308 send the body again', async () => {
    for (const status of [307, 308]) {
      const { fetch: inner, seen } = scripted({ [CONFIGURED]: { status, location: '/v2/models' } });
      await originBoundRedirects(inner)(CONFIGURED, { method: 'POST', headers: CREDENTIALS, body: '{"a":1}' });
      assert.deepEqual(seen[1], { url: 'https://api.example.test/v2/models', method: 'POST', headers: CREDENTIALS, body: '{"a":1}' });
    }
  });

  it('a same-origin 303 (and a 302 after a POST) becomes a GET without the body, with the key', async () => {
    for (const status of [302, 303]) {
      const { fetch: inner, seen } = scripted({ [CONFIGURED]: { status, location: 'https://api.example.test/v1/result' } });
      await originBoundRedirects(inner)(CONFIGURED, { method: 'POST', headers: { ...CREDENTIALS, 'content-type': 'application/json' }, body: '{}' });
      assert.deepEqual([seen[1].method, seen[1].body, seen[1].headers['api-key'], seen[1].headers['content-type']], ['GET', null, CREDENTIALS['api-key'], undefined]);
    }
  });

  it('once a redirect left the origin, coming back does not bring the key back', async () => {
    const away = 'https://cdn.example.test/x';
    const { fetch: inner, seen } = scripted({ [CONFIGURED]: { status: 302, location: away }, [away]: { status: 302, location: CONFIGURED.replace('models', 'back') } });
    await originBoundRedirects(inner)(CONFIGURED, { headers: CREDENTIALS });
    assert.equal(seen.length, 3);
    assert.equal(seen[2].headers.authorization, undefined);
  });

  it(`gives up after ${MAX_REDIRECTS} redirects, and refuses to send a stream body twice`, async () => {
    const { fetch: loop } = scripted({ [CONFIGURED]: { status: 307, location: CONFIGURED } });
    await assert.rejects(originBoundRedirects(loop)(CONFIGURED), (error: unknown) => error instanceof RedirectRefusedError && error.reason === 'too_many');
    const { fetch: once } = scripted({ [CONFIGURED]: { status: 307, location: '/again' } });
    const stream = new ReadableStream({ start: (controller) => (controller.enqueue(new TextEncoder().encode('x')), controller.close()) });
    await assert.rejects(originBoundRedirects(once)(CONFIGURED, { method: 'POST', body: stream, duplex: 'half' } as RequestInit), (error: unknown) => error instanceof RedirectRefusedError && error.reason === 'unrepeatable_body');
  });
});

describe('a Location that reads like the configured server but is not', () => {
  // Each is resolved against the configured URL as fetch resolves it: what the check reads is where the request would go.
  const lookalikes = [
    ['localhost for 127.0.0.1', 'http://127.0.0.1:8080/v1/models', 'http://localhost:8080/v1/models'],
    ['[::1] for 127.0.0.1', 'http://127.0.0.1:8080/v1/models', 'http://[::1]:8080/v1/models'],
    ['a host that starts with the configured one', CONFIGURED, 'https://api.example.test.evil.example/v1/models'],
    ['the configured host as a user name', CONFIGURED, 'https://api.example.test@evil.example.test/v1/models'],
    ['a protocol-relative Location', CONFIGURED, '//evil.example.test/v1/models'],
    ['backslashes for slashes', CONFIGURED, 'https:\\\\evil.example.test\\v1'],
    ['the default port written out, on http', 'http://api.example.test/v1/models', 'https://api.example.test:80/v1/models'],
  ] as const;
  for (const [label, configured, location] of lookalikes) {
    it(`${label}: a GET follows without credentials, a POST is refused`, async () => {
      const { fetch: inner, seen } = scripted({ [configured]: { status: 307, location } });
      await originBoundRedirects(inner)(configured, { method: 'GET', headers: { ...CREDENTIALS, ...DESCRIPTIVE } });
      assert.equal(seen.length, 2);
      assert.notEqual(new URL(seen[1].url).origin, new URL(configured).origin, `${seen[1].url} is another origin`);
      assert.deepEqual(seen[1].headers, DESCRIPTIVE, `no credential reached ${seen[1].url}`);
      const posted = scripted({ [configured]: { status: 308, location } });
      await assert.rejects(originBoundRedirects(posted.fetch)(configured, { method: 'POST', headers: CREDENTIALS, body: '{}' }), RedirectRefusedError);
      assert.equal(posted.seen.length, 1);
    });
  }
});

describe('a redirect to a URL that names no server', () => {
  const targets = ['data:application/json,{"object":"list","data":[]}', 'file:///etc/passwd', 'blob:https://api.example.test/0c8a', 'about:blank', 'javascript:alert(1)', 'ftp://api.example.test/v1/models'];
  for (const status of [301, 302, 303, 307, 308]) {
    it(`a ${status} to data:, file:, blob:, about:, javascript: or ftp: is refused, for a GET as for a POST, with a sentence`, async () => {
      for (const target of targets) {
        for (const method of ['GET', 'POST']) {
          const { fetch: inner, seen } = scripted({ [CONFIGURED]: { status, location: target } });
          const refused = await originBoundRedirects(inner)(CONFIGURED, { method, headers: CREDENTIALS, ...(method === 'POST' ? { body: '{}' } : {}) }).then(
            () => assert.fail(`${method} followed to ${target}`),
            (error: unknown) => error,
          );
          assert.ok(refused instanceof RedirectRefusedError && refused.reason === 'not_a_server', `${method} to ${target}: ${String(refused)}`);
          assert.deepEqual(seen.map((s) => s.url), [CONFIGURED], 'nothing fetched after the redirect');
          const sentence = toAssistantsError(refused, { baseUrl: CONFIGURED }).message;
          assert.equal(sentence, `The server at api.example.test redirected the request to a ${new URL(target).protocol} URL, which names no server, so it was not followed. Check the "assistants.baseUrl" setting.`);
        }
      }
    });
  }
});

describe('redirects through the SDK and Node fetch', () => {
  let configured: http.Server;
  let other: http.Server;
  const received: Array<{ server: 'configured' | 'other'; method: string; url: string; headers: http.IncomingHttpHeaders }> = [];
  const listen = async (server: http.Server) => {
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  };
  let configuredUrl = '';
  let otherUrl = '';
  let status = 307;

  beforeEach(async () => {
    received.length = 0;
    other = http.createServer((req, res) => {
      received.push({ server: 'other', method: req.method ?? '', url: req.url ?? '', headers: req.headers });
      res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ object: 'list', data: [] }));
    });
    otherUrl = await listen(other);
    configured = http.createServer((req, res) => {
      received.push({ server: 'configured', method: req.method ?? '', url: req.url ?? '', headers: req.headers });
      if (req.url?.startsWith('/here/')) return void res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ object: 'list', data: [] }));
      const to = req.url?.startsWith('/same/') ? req.url.replace('/same/', '/here/') : `${otherUrl}${req.url ?? ''}`;
      res.writeHead(status, { location: to }).end();
    });
    configuredUrl = await listen(configured);
  });
  afterEach(async () => {
    await Promise.all([configured, other].map((server) => new Promise((resolve) => server.close(resolve))));
  });

  for (const code of [302, 307, 308]) {
    it(`an Azure key (api-key header) is not carried by a ${code} to another port; a POST is refused with a sentence`, async () => {
      status = code;
      const client = createOpenAIClient({ protocol: 'responses', apiKey: 'azure-key-0123456789abcdef', azure: { endpoint: `${configuredUrl}/openai/v1`, apiVersion: 'v1' }, organization: 'org-1' });
      await client.models.list();
      const away = received.filter((r) => r.server === 'other');
      assert.equal(away.length, 1, 'the GET followed');
      assert.equal(received[0].headers['api-key'], 'azure-key-0123456789abcdef', 'the configured server got the key');
      for (const header of ['api-key', 'authorization', 'openai-organization', 'cookie']) assert.equal(away[0].headers[header], undefined, `${header} went to the other origin`);

      received.length = 0;
      const refused = await client.conversations.create({}).then(
        () => assert.fail('a POST must not follow'),
        (error: unknown) => toAssistantsError(error, { baseUrl: configuredUrl }),
      );
      assert.deepEqual(received.map((r) => r.server), ['configured'], 'nothing reached the other origin');
      assert.equal(refused.kind, 'bad_response');
      assert.match(refused.message, new RegExp(`redirected the request to ${otherUrl.replace(/[.:/]/g, '\\$&')}.*set "assistants\\.baseUrl" to it`));
    });
  }

  it('a same-origin redirect keeps the bearer token', async () => {
    const sameKey = madeUpKey('sk-proj', 'FAKE-same-for-tests');
    status = 307;
    const client = createOpenAIClient({ protocol: 'responses', apiKey: sameKey, baseUrl: `${configuredUrl}/same` });
    await client.models.list();
    assert.deepEqual(received.map((r) => [r.server, r.url, r.headers.authorization]), [
      ['configured', '/same/models', `Bearer ${sameKey}`],
      ['configured', '/here/models', `Bearer ${sameKey}`],
    ]);
  });
});
