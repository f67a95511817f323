import * as assert from 'node:assert/strict';
import * as http from 'node:http';
import type { AddressInfo } from 'node:net';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { LATEST_PROTOCOL_VERSION } from '@modelcontextprotocol/sdk/types.js';
import { boundedFetch, MAX_MCP_MESSAGE_BYTES, McpMessageTooLargeError } from '../../../../src/core/mcp/boundedFetch';
import type { McpFetch } from '../../../../src/core/mcp/boundedFetch';

const SENT = 'The MCP server sent a message of more than 4 MB, so it was not read.';
const encoder = new TextEncoder();

/** A fetch answering every request with `body`, pulled lazily: `pulled()` says how many bytes were read from it. */
function fakeFetch(chunks: Iterable<Uint8Array>, headers: Record<string, string>, status = 200): { fetch: McpFetch; pulled: () => number; cancelled: () => boolean } {
  let pulled = 0;
  let cancelled = false;
  const fetch: McpFetch = async () => {
    const it = chunks[Symbol.iterator]();
    const body = new ReadableStream<Uint8Array>({
      pull(controller) {
        const next = it.next();
        if (next.done) return controller.close();
        pulled += next.value.byteLength;
        controller.enqueue(next.value);
      },
      cancel() {
        cancelled = true;
      },
    }, { highWaterMark: 0 });
    return new Response(body, { status, headers });
  };
  return { fetch, pulled: () => pulled, cancelled: () => cancelled };
}

function* endless(prefix: string, chunkSize = 64 * 1024): Generator<Uint8Array> {
  yield encoder.encode(prefix);
  const chunk = new Uint8Array(chunkSize).fill(0x61);
  for (;;) yield chunk;
}

/** `text` cut into pieces of 1..max bytes (a fixed pseudo-random sequence), so boundaries fall across pieces. */
function* pieces(text: string, max: number): Generator<Uint8Array> {
  const bytes = encoder.encode(text);
  let seed = 7;
  for (let i = 0; i < bytes.length;) {
    seed = (seed * 1103515245 + 12345) & 0x7fffffff;
    const n = 1 + (seed % max);
    yield bytes.subarray(i, i + n);
    i += n;
  }
}

async function readAll(response: Response): Promise<string> {
  return await response.text();
}

async function rejection(promise: Promise<unknown>): Promise<Error> {
  try {
    await promise;
  } catch (error) {
    return error as Error;
  }
  assert.fail('expected a rejection');
}

describe('boundedFetch (HTTP answers of local MCP servers)', () => {
  it('has the stdio limit, 4 MB, by default', () => {
    assert.equal(MAX_MCP_MESSAGE_BYTES, 4 * 1024 * 1024);
  });

  it('cuts an endless event-stream line just past the limit, quickly and without holding it', async () => {
    const source = fakeFetch(endless('data: {"jsonrpc":"2.0","id":0,"result":"'), { 'content-type': 'text/event-stream' });
    const response = await boundedFetch(MAX_MCP_MESSAGE_BYTES, source.fetch)('http://x/mcp');
    assert.equal(response.status, 200);
    const reader = response.body!.getReader();
    global.gc?.();
    const heapBefore = process.memoryUsage().heapUsed;
    const t = performance.now();
    let passed = 0;
    const error = await (async () => {
      try {
        for (;;) {
          const { done, value } = await reader.read();
          if (done) return undefined;
          passed += value.byteLength; // read and dropped, as a consumer that keeps nothing would
        }
      } catch (e) {
        return e as Error;
      }
    })();
    const ms = performance.now() - t;
    const heapGrowth = process.memoryUsage().heapUsed - heapBefore;
    assert.ok(error instanceof McpMessageTooLargeError);
    assert.equal(error.message, SENT);
    assert.ok(passed <= MAX_MCP_MESSAGE_BYTES, `passed on ${passed} bytes`);
    assert.ok(source.pulled() <= MAX_MCP_MESSAGE_BYTES + 2 * 64 * 1024, `read ${source.pulled()} bytes`);
    await new Promise((resolve) => setImmediate(resolve)); // the pipe cancels its source a turn after the error
    assert.ok(source.cancelled(), 'the source is cancelled, so the connection is dropped');
    assert.ok(ms < 1000, `took ${ms} ms`);
    assert.ok(heapGrowth < 32 * 1024 * 1024, `heap grew by ${heapGrowth} bytes`);
    console.log(`      endless line: cut after ${source.pulled()} bytes read, ${Math.round(ms)} ms, heap +${Math.round(heapGrowth / 1e6)} MB`);
  });

  it('passes 10,000 small events whole, in pieces that split their boundaries, with a limit far below their total', async () => {
    const events = Array.from({ length: 10_000 }, (_, i) => `id: ${i}\ndata: {"jsonrpc":"2.0","method":"notifications/progress","params":{"progress":${i}}}\n${i % 3 === 0 ? '\r\n' : '\n'}`);
    const text = events.join('');
    const source = fakeFetch(pieces(text, 97), { 'content-type': 'text/event-stream; charset=utf-8' });
    const t = performance.now();
    const response = await boundedFetch(256, source.fetch)('http://x/mcp');
    assert.equal(await readAll(response), text);
    console.log(`      10,000 events (${text.length} bytes, limit 256): ${Math.round(performance.now() - t)} ms`);
  });

  it('counts an event-stream from its last blank line, whatever the line endings and wherever the chunks split', async () => {
    const run = async (chunks: string[], limit: number) => {
      const { fetch } = fakeFetch(chunks.map((c) => encoder.encode(c)), { 'content-type': 'text/event-stream' });
      return readAll(await boundedFetch(limit, fetch)('http://x'));
    };
    const a = `data: ${'a'.repeat(40)}`; // 46 bytes
    for (const blank of ['\n\n', '\r\n\r\n', '\r\r', '\r\n\n']) {
      // Two events of about 50 bytes each fit a limit of 60 only if the blank line between them is seen, however it is split.
      for (let cut = 0; cut <= blank.length; cut++) {
        const chunks = [a + blank.slice(0, cut), blank.slice(cut) + a, blank];
        assert.equal(await run(chunks, 60), chunks.join(''));
      }
      // A single line break is not a boundary.
      const single = blank.slice(0, blank.length / 2);
      assert.equal((await rejection(run([a + single, a + single + blank], 60))).message, 'The MCP server sent a message of more than 60 bytes, so it was not read.');
    }
    // An event longer than the limit is refused even when it and its blank line arrive in one chunk.
    await rejection(run([`${a}${a}\n\n`], 60));
    // One just at the limit passes.
    assert.equal(await run([`data: ${'b'.repeat(52)}\n\n`], 60), `data: ${'b'.repeat(52)}\n\n`);
  });

  it('refuses a JSON answer once it exceeds the limit, and lets one just under (or at) it through', async () => {
    const json = (size: number) => `{"jsonrpc":"2.0","id":0,"result":{"x":"${'y'.repeat(size - 42)}"}}`;
    const over = fakeFetch(pieces(json(MAX_MCP_MESSAGE_BYTES + 1), 65536), { 'content-type': 'application/json' });
    const error = await rejection((await boundedFetch(undefined, over.fetch)('http://x')).json());
    assert.equal(error.message, SENT);
    assert.ok(error instanceof McpMessageTooLargeError);

    for (const size of [MAX_MCP_MESSAGE_BYTES - 1, MAX_MCP_MESSAGE_BYTES]) {
      const body = json(size);
      assert.equal(encoder.encode(body).length, size);
      const under = fakeFetch(pieces(body, 65536), { 'content-type': 'application/json', 'content-length': String(size) });
      const data = (await (await boundedFetch(undefined, under.fetch)('http://x')).json()) as { result: { x: string } };
      assert.equal(data.result.x.length, size - 42);
    }
  });

  it('stops reading an endless JSON answer at the limit', async () => {
    const source = fakeFetch(endless('{"jsonrpc":"2.0","id":0,"result":"'), { 'content-type': 'application/json' });
    const error = await rejection((await boundedFetch(undefined, source.fetch)('http://x')).json());
    assert.equal(error.message, SENT);
    assert.ok(source.pulled() <= MAX_MCP_MESSAGE_BYTES + 2 * 64 * 1024, `read ${source.pulled()} bytes`);
  });

  it('refuses at once an answer whose Content-Length declares more than the limit, and counts one whose Content-Length lies low', async () => {
    const big = fakeFetch(endless('{'), { 'content-type': 'application/json', 'content-length': String(400 * 1024 * 1024) });
    const error = await rejection(boundedFetch(undefined, big.fetch)('http://x'));
    assert.equal(error.message, 'The MCP server announced a message of more than 4 MB, so it was not read.');
    assert.equal(big.pulled(), 0);
    assert.ok(big.cancelled());

    const liar = fakeFetch(endless('{'), { 'content-type': 'application/json', 'content-length': '10' });
    assert.equal((await rejection((await boundedFetch(undefined, liar.fetch)('http://x')).text())).message, SENT);
  });

  it('keeps the status, status text, headers and URL of the answer, and an answer without a body as it is', async () => {
    const base: McpFetch = async () => {
      const response = new Response('{"error":"no"}', { status: 404, statusText: 'Not Found', headers: { 'content-type': 'application/json', 'mcp-session-id': 's1' } });
      Object.defineProperty(response, 'url', { value: 'http://x/mcp' });
      return response;
    };
    const response = await boundedFetch(1024, base)('http://x/mcp');
    assert.equal(response.status, 404);
    assert.equal(response.statusText, 'Not Found');
    assert.equal(response.headers.get('mcp-session-id'), 's1');
    assert.equal(response.url, 'http://x/mcp');
    assert.equal(await response.text(), '{"error":"no"}');

    const empty = new Response(null, { status: 202 });
    assert.equal(await boundedFetch(1024, async () => empty)('http://x'), empty);
  });

  describe('under the SDK StreamableHTTPClientTransport, against a local server', () => {
    let server: http.Server;
    let url: URL;
    let mode: 'sse-flood' | 'json-flood' | 'good' = 'good';
    let sent = 0;
    let closed: Promise<void>;
    let onClosed: () => void;

    before(async () => {
      server = http.createServer((req, res) => {
        if (req.method !== 'POST') return void res.writeHead(405).end();
        let body = '';
        req.on('data', (d: Buffer) => (body += d.toString()));
        req.on('end', () => {
          const message = JSON.parse(body) as { id?: number; method: string };
          if (message.id === undefined) return void res.writeHead(202).end();
          if (mode === 'good') {
            const result = { protocolVersion: LATEST_PROTOCOL_VERSION, capabilities: {}, serverInfo: { name: 'good', version: '1' } };
            res.writeHead(200, { 'content-type': 'text/event-stream' });
            res.end(`event: message\ndata: ${JSON.stringify({ jsonrpc: '2.0', id: message.id, result })}\n\n`);
            return;
          }
          res.writeHead(200, { 'content-type': mode === 'sse-flood' ? 'text/event-stream' : 'application/json' });
          res.write(mode === 'sse-flood' ? `data: {"jsonrpc":"2.0","id":${message.id},"result":"` : `{"jsonrpc":"2.0","id":${message.id},"result":"`);
          const chunk = Buffer.alloc(1 << 20, 'a');
          const pump = () => {
            while (sent < 1e9 && !res.destroyed) {
              sent += chunk.length;
              if (!res.write(chunk)) return void res.once('drain', pump);
            }
          };
          res.on('close', () => onClosed());
          pump();
        });
      });
      await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
      url = new URL(`http://127.0.0.1:${(server.address() as AddressInfo).port}/mcp`);
    });
    after(() => {
      server.closeAllConnections();
      server.close();
    });
    beforeEach(() => {
      sent = 0;
      closed = new Promise((resolve) => (onClosed = resolve));
    });

    const connect = (onerror?: (error: Error) => void) => {
      const transport = new StreamableHTTPClientTransport(url, { requestInit: { redirect: 'error' }, fetch: boundedFetch() });
      transport.onerror = onerror;
      const client = new Client({ name: 'test', version: '1' });
      return { client, connected: client.connect(transport, { timeout: 10_000 }) };
    };

    it('connects to a server that behaves', async () => {
      mode = 'good';
      const { client, connected } = connect();
      await connected;
      assert.equal(client.getServerVersion()?.name, 'good');
      await client.close();
    });

    it('fails with the sentence soon after a server floods initialize with one endless event-stream line, and drops the connection', async () => {
      mode = 'sse-flood';
      const t = performance.now();
      const rssBefore = process.memoryUsage().rss;
      const failed = new Promise<Error>((resolve) => {
        const { client, connected } = connect((error) => {
          resolve(error);
          void client.close();
        });
        connected.catch(() => undefined);
      });
      const error = await failed;
      const ms = performance.now() - t;
      assert.ok(error.message.includes(SENT), error.message);
      assert.ok(ms < 2000, `took ${ms} ms`);
      await closed;
      assert.ok(sent < 64 * 1024 * 1024, `the server wrote ${sent} bytes`);
      console.log(`      event-stream flood: failed after ${Math.round(ms)} ms; server wrote ${Math.round(sent / 1e6)} MB; RSS +${Math.round((process.memoryUsage().rss - rssBefore) / 1e6)} MB`);
    });

    it('fails connect with the sentence soon after a server floods initialize with an endless JSON answer', async () => {
      mode = 'json-flood';
      const t = performance.now();
      const { client, connected } = connect();
      const error = await rejection(connected);
      const ms = performance.now() - t;
      assert.equal(error.message, SENT);
      assert.ok(ms < 2000, `took ${ms} ms`);
      await client.close();
      await closed;
      assert.ok(sent < 64 * 1024 * 1024, `the server wrote ${sent} bytes`);
      console.log(`      JSON flood: connect failed after ${Math.round(ms)} ms; server wrote ${Math.round(sent / 1e6)} MB`);
    });
  });
});
