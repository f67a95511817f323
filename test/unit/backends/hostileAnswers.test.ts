import * as assert from 'node:assert/strict';
import * as http from 'node:http';
import type { AddressInfo } from 'node:net';
import { readAtMost } from '../../../src/backends/common/openaiFiles';
import { connect } from '../../../src/backends/connect';
import { MAX_SERVER_WORDS, keyPieces, redact } from '../../../src/backends/errorMapping';
import type { Backend } from '../../../src/core/backend';
import { AssistantsError } from '../../../src/core/errors';
import type { Assistant, Thread } from '../../../src/common/model';
import { HOSTILE_KEY } from '../../support/madeUpKeys';

const KEY = HOSTILE_KEY;

/** A server that answers every request with `answer`, writing as fast as the client reads (and stopping when it leaves). */
async function serving(answer: (res: http.ServerResponse) => void): Promise<{ backend: Backend; close(): Promise<void> }> {
  const server = http.createServer((_req, res) => answer(res));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  const { backend } = connect({ protocol: 'responses', apiKey: KEY, baseUrl: `http://127.0.0.1:${port}/v1` });
  return { backend, close: () => new Promise((resolve) => (server.closeAllConnections(), server.close(() => resolve()))) };
}

/** Writes `head`, then `chunk` again and again until `total` bytes went out (forever when undefined), then `tail`. */
function endless(res: http.ServerResponse, head: string, chunk: string, total = Infinity, tail = ''): void {
  let sent = 0;
  let gone = false;
  res.on('close', () => (gone = true));
  res.write(head);
  const more = (): void => {
    while (!gone) {
      if (sent >= total) return void res.end(tail);
      sent += chunk.length;
      if (!res.write(chunk)) return void res.once('drain', more);
    }
  };
  more();
}

async function failure(promise: Promise<unknown>): Promise<AssistantsError> {
  try {
    await promise;
  } catch (error) {
    assert.ok(error instanceof AssistantsError, String(error));
    return error;
  }
  assert.fail('expected the call to fail');
}

const thread: Thread = { id: 't', title: 't', createdAt: 0, updatedAt: 0 } as Thread;
const assistant: Assistant = { id: 'a', name: 'a', model: 'm', tools: [], createdAt: 0 };
const created = `event: response.created\ndata: ${JSON.stringify({ type: 'response.created', sequence_number: 0, response: { id: 'resp_1', object: 'response', created_at: 1, status: 'in_progress', model: 'm', output: [] } })}\n\n`;

async function drain(backend: Backend): Promise<number> {
  let events = 0;
  for await (const _event of backend.stream({ kind: 'start', thread, assistant, history: [] })) events++;
  return events;
}

describe('Server words in our sentences are masked, short and on one line', () => {
  for (const [label, message] of [
    ['60 kB that echoes the key 1,000 times', `bad key ${KEY} `.repeat(1_000)],
    ['the key without its prefix 1,500 times', `${KEY.slice(8)}|`.repeat(1_500)],
    ['60 kB of prose', 'The upstream said no. '.repeat(2_700)],
  ] as const) {
    it(`an error answer of ${label}`, async () => {
      const server = await serving((res) => res.writeHead(500, { 'content-type': 'application/json' }).end(JSON.stringify({ error: { message } })));
      try {
        const error = await failure(server.backend.listModels());
        assert.equal(error.kind, 'server');
        assert.match(error.message, /Server said: .*… \(\d+ more characters\)$/);
        assert.ok(error.message.length < MAX_SERVER_WORDS + 200, `${error.message.length} characters`);
        assert.deepEqual(keyPieces(error.message, KEY), []);
      } finally {
        await server.close();
      }
    });
  }

  it('a message with line breaks, control and text-direction characters reads as one line', async () => {
    const server = await serving((res) => res.writeHead(401, { 'content-type': 'application/json' }).end(JSON.stringify({ error: { message: 'Denied\u202Eyek tes\nsecond line\r\u0007\u2066x\u2069\u200F' } })));
    try {
      const error = await failure(server.backend.listModels());
      assert.equal(error.kind, 'auth');
      assert.match(error.message, /Server said: Denied yek tes second line x $/);
    } finally {
      await server.close();
    }
  });

  it('masks a text echoing the key 100,000 times whole', () => {
    const masked = redact(`[${KEY}]`.repeat(100_000), { apiKey: KEY });
    assert.equal(masked, '[***]'.repeat(100_000));
  });
});

describe('What a server sends is read only as far as an answer of the API goes', () => {
  it('an error answer of 200 MB is read only at its start', async () => {
    const server = await serving((res) => endless(res.writeHead(500, { 'content-type': 'application/json' }), '{"error":{"message":"', 'x'.repeat(65_536), 200 * 1024 * 1024, '"}}'));
    try {
      const error = await failure(server.backend.listModels());
      assert.equal(error.kind, 'server');
      assert.match(error.message, /^The server had an error \(HTTP 500\)\. Try again in a few minutes\.$/);
    } finally {
      await server.close();
    }
  });

  for (const [label, head, chunk] of [
    ['a JSON answer that never ends', '{"object":"list","data":[', '{"id":"m","object":"model"},'.repeat(2_000)],
    ['one JSON string that never ends', '{"object":"list","data":[{"id":"', 'a'.repeat(65_536)],
    ['an answer without a type that never ends', '{', ' '.repeat(65_536)],
  ] as const) {
    it(`${label} fails at 64 MB and says what to check`, async () => {
      const server = await serving((res) => endless(res.writeHead(200, label.includes('without a type') ? {} : { 'content-type': 'application/json' }), head, chunk));
      try {
        const error = await failure(server.backend.listModels());
        assert.equal(error.kind, 'bad_response');
        assert.match(error.message, /sent an answer larger than 64 MB, .* Check the "assistants\.baseUrl" setting/);
      } finally {
        await server.close();
      }
    });
  }

  for (const [label, chunk] of [
    ['a data line that never ends', 'x'.repeat(65_536)],
    ['an event whose JSON never ends', '"z":"'.repeat(10_000)],
    ['a comment that never ends', ':'.repeat(65_536)],
  ] as const) {
    it(`a stream with ${label} fails at a line of 32 MB`, async () => {
      const server = await serving((res) => endless(res.writeHead(200, { 'content-type': 'text/event-stream' }), `${created}data: `, chunk));
      try {
        const error = await failure(drain(server.backend));
        assert.equal(error.kind, 'bad_response');
        assert.match(error.message, /sent a stream with a line longer than 32 MB/);
      } finally {
        await server.close();
      }
    });
  }

  it('a stream of ordinary events of a megabyte is read to its end', async () => {
    const delta = (n: number) => `event: response.output_text.delta\ndata: ${JSON.stringify({ type: 'response.output_text.delta', sequence_number: n, item_id: 'msg_1', output_index: 0, content_index: 0, delta: 'y'.repeat(4096) })}\n\n`;
    const events = Array.from({ length: 200 }, (_, n) => delta(n + 1)).join('');
    const server = await serving((res) => res.writeHead(200, { 'content-type': 'text/event-stream' }).end(created + events));
    try {
      assert.ok((await drain(server.backend)) > 1);
    } finally {
      await server.close();
    }
  });
});

describe('A long streamed answer takes time linear in its length', () => {
  for (const [label, pieces, size] of [
    ['100,000 pieces of 4 characters', 100_000, 4],
    ['400 pieces of 64 kB', 400, 65_536],
  ] as const) {
    it(`an answer of ${label} comes through as its pieces, whole`, async () => {
      const sse = (event: Record<string, unknown>) => `event: ${String(event.type)}\ndata: ${JSON.stringify(event)}\n\n`;
      const item = { id: 'msg_1', type: 'message', role: 'assistant', status: 'in_progress', content: [] };
      const piece = (n: number) => String(n % 10).repeat(size);
      const text = Array.from({ length: pieces }, (_, n) => piece(n)).join('');
      const server = await serving((res) => {
        res.writeHead(200, { 'content-type': 'text/event-stream' });
        res.write(created + sse({ type: 'response.output_item.added', sequence_number: 1, output_index: 0, item }));
        res.write(sse({ type: 'response.content_part.added', sequence_number: 2, item_id: 'msg_1', output_index: 0, content_index: 0, part: { type: 'output_text', text: '', annotations: [] } }));
        let n = 0;
        const more = (): void => {
          while (n < pieces) {
            if (!res.write(sse({ type: 'response.output_text.delta', sequence_number: 3 + n, item_id: 'msg_1', output_index: 0, content_index: 0, delta: piece(n++) }))) return void res.once('drain', more);
          }
          const done = { ...item, status: 'completed', content: [{ type: 'output_text', text, annotations: [] }] };
          res.end(sse({ type: 'response.completed', sequence_number: 4 + n, response: { id: 'resp_1', object: 'response', created_at: 1, status: 'completed', model: 'm', output: [done] } }));
        };
        more();
      });
      try {
        const deltas: string[] = [];
        let completed: string | undefined;
        for await (const event of server.backend.stream({ kind: 'start', thread, assistant, history: [] })) {
          if (event.type === 'message.delta') deltas.push(event.text);
          if (event.type === 'message.completed') completed = event.message.content.map((part) => (part.type === 'text' ? part.text : '')).join('');
        }
        // The end of each piece may be held until the next shows it is no part of the key (base64 of the key holds digits): one more at the end at most.
        assert.ok(deltas.length === pieces || deltas.length === pieces + 1, `${deltas.length} deltas for ${pieces} pieces`);
        assert.equal(deltas.join(''), text);
        assert.equal(completed, text);
      } finally {
        await server.close();
      }
    });
  }
});

describe('A file that trickles is given up, not waited on forever', () => {
  /** A body that sends `piece` every `everyMs`, `times` times (forever when undefined), then ends. */
  const trickle = (everyMs: number, piece = 'x', times = Infinity) => {
    let sent = 0;
    let timer: ReturnType<typeof setInterval> | undefined;
    return new Response(
      new ReadableStream<Uint8Array>({
        start(controller) {
          timer = setInterval(() => {
            if (sent++ >= times) return void (clearInterval(timer), controller.close());
            controller.enqueue(new TextEncoder().encode(piece));
          }, everyMs);
        },
        cancel: () => clearInterval(timer),
      }),
    );
  };

  for (const [label, body] of [
    ['a byte every 20 ms without end', () => trickle(20)],
    ['nothing at all after the headers', () => trickle(60_000)],
    ['1 kB every 100 ms without end', () => trickle(100, 'y'.repeat(1024))],
  ] as const) {
    it(`${label} fails as too slow, naming the server`, async () => {
      const error = await failure(readAtMost(body(), 1024 * 1024 * 1024, { host: 'files.example.test', idleMs: 300, deadlineMs: 1_000 }));
      assert.equal(error.kind, 'timeout');
      assert.match(error.message, /^The server at files\.example\.test took too long to send a file \(\d+ bytes came\)\. Try again later\.$/);
    });
  }

  it('a file that comes in pieces within the limits is read whole; Stop ends a wait at once', async () => {
    const read = await readAtMost(trickle(10, 'ab', 20), 1024, { idleMs: 2_000, deadlineMs: 10_000 });
    assert.equal('bytes' in read ? new TextDecoder().decode(read.bytes) : '', 'ab'.repeat(20));
    const stop = new AbortController();
    setTimeout(() => stop.abort(), 50);
    await assert.rejects(readAtMost(trickle(60_000), 1024, { signal: stop.signal }), (error: Error) => error.name === 'AbortError');
  });
});
