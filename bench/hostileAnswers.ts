/**
 * The hostile-input kinds about how much a server sends, for `npm run bench:hostile`: answers,
 * error pages and stream lines that never end, and a long answer streamed in many small pieces. A
 * server on 127.0.0.1 writes as fast as the client reads. "Broken": the call did not end in the
 * sentence that names the limit (or, for the long answer, the answer did not come through whole);
 * the harness counts a hang when the host was blocked or the call took more than 2 s. The peak of
 * the process's memory while the input ran is in the note.
 */
import * as http from 'node:http';
import type { AddressInfo } from 'node:net';
import { connect } from '../src/backends/connect';
import type { Backend } from '../src/core/backend';
import type { Assistant, Thread } from '../src/common/model';
import type { Input, Kind, Seen } from './hostileKind';
import { HOSTILE_KEY } from '../test/support/madeUpKeys';

const KEY = HOSTILE_KEY;
const thread = { id: 't', title: 't', createdAt: 0, updatedAt: 0 } as Thread;
const assistant: Assistant = { id: 'a', name: 'a', model: 'm', tools: [], createdAt: 0 };
const sse = (event: Record<string, unknown>) => `event: ${String(event.type)}\ndata: ${JSON.stringify(event)}\n\n`;
const created = sse({ type: 'response.created', sequence_number: 0, response: { id: 'resp_1', object: 'response', created_at: 1, status: 'in_progress', model: 'm', output: [] } });

/** Writes `head`, then whatever `next` gives until it gives undefined or the client leaves. */
function pump(res: http.ServerResponse, head: string, next: () => string | undefined): void {
  let gone = false;
  res.on('close', () => (gone = true));
  res.write(head);
  const more = (): void => {
    while (!gone) {
      const chunk = next();
      if (chunk === undefined) return void res.end();
      if (!res.write(chunk)) return void res.once('drain', more);
    }
  };
  more();
}

/** Runs `use` against a server that answers every request with `answer`, watching the process's memory. */
function served(label: string, answer: (res: http.ServerResponse) => void, use: (backend: Backend) => Promise<Seen>): Input {
  return {
    label,
    async run() {
      const server = http.createServer((_req, res) => answer(res));
      await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
      const { backend } = connect({ protocol: 'responses', apiKey: KEY, baseUrl: `http://127.0.0.1:${(server.address() as AddressInfo).port}/v1` });
      const before = process.memoryUsage().rss;
      let peak = before;
      const watch = setInterval(() => (peak = Math.max(peak, process.memoryUsage().rss)), 20);
      try {
        const seen = await use(backend);
        return { ...seen, note: `${seen.note ?? ''} peak +${Math.round((peak - before) / 1e6)} MB`.trim() };
      } finally {
        clearInterval(watch);
        server.closeAllConnections();
        server.close();
      }
    },
  };
}

/** Broken unless the call fails with a sentence matching `sentence`. */
async function failsSaying(call: Promise<unknown>, sentence: RegExp): Promise<Seen> {
  try {
    await call;
    return { broken: true, note: 'answered' };
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    return { broken: !sentence.test(message), note: message.slice(0, 50) };
  }
}

async function drain(backend: Backend): Promise<string> {
  let text = '';
  for await (const event of backend.stream({ kind: 'start', thread, assistant, history: [] })) if (event.type === 'message.delta') text += event.text;
  return text;
}

const json = { 'content-type': 'application/json' };
const stream = { 'content-type': 'text/event-stream' };
const forever = (chunk: string) => () => chunk;
const endlessAnswer = /sent an answer larger than 64 MB/;
const endlessLine = /sent a stream with a line longer than 32 MB/;

/** A long answer in `pieces` deltas of `size` characters: broken unless it comes through whole. */
function longAnswer(pieces: number, size: number): Input {
  const piece = (n: number) => String(n % 10).repeat(size);
  const item = { id: 'msg_1', type: 'message', role: 'assistant', status: 'in_progress', content: [] };
  const head = created + sse({ type: 'response.output_item.added', sequence_number: 1, output_index: 0, item }) + sse({ type: 'response.content_part.added', sequence_number: 2, item_id: 'msg_1', output_index: 0, content_index: 0, part: { type: 'output_text', text: '', annotations: [] } });
  return served(
    `an answer of ${pieces.toLocaleString('en')} pieces of ${size.toLocaleString('en')} characters`,
    (res) => {
      let n = 0;
      pump(res.writeHead(200, stream), head, () => (n < pieces ? sse({ type: 'response.output_text.delta', sequence_number: 3 + n, item_id: 'msg_1', output_index: 0, content_index: 0, delta: piece(n++) }) : undefined));
    },
    async (backend) => {
      const text = await drain(backend);
      return { broken: text.length !== pieces * size, note: `${text.length.toLocaleString('en')} characters` };
    },
  );
}

/** The kinds, in the order the bench lists them. */
export const ANSWER_KINDS: Kind[] = [
  {
    name: 'server answer without end (size)',
    inputs: [
      served('JSON answer of endless items', (res) => pump(res.writeHead(200, json), '{"object":"list","data":[', forever('{"id":"m","object":"model"},'.repeat(2_000))), (b) => failsSaying(b.listModels(), endlessAnswer)),
      served('JSON string without end', (res) => pump(res.writeHead(200, json), '{"data":[{"id":"', forever('a'.repeat(65_536))), (b) => failsSaying(b.listModels(), endlessAnswer)),
      served('untyped answer without end', (res) => pump(res.writeHead(200), '{', forever(' '.repeat(65_536))), (b) => failsSaying(b.listModels(), endlessAnswer)),
      served('error page without end, echoing the key', (res) => pump(res.writeHead(500, json), '{"error":{"message":"', forever(`bad key ${KEY} `.repeat(1_000))), (b) => failsSaying(b.listModels(), /^The server had an error \(HTTP 500\)\. Try again in a few minutes\.$/)),
      served('stream line without a line break', (res) => pump(res.writeHead(200, stream), `${created}data: `, forever('x'.repeat(65_536))), (b) => failsSaying(drain(b), endlessLine)),
      served('stream event whose JSON never ends', (res) => pump(res.writeHead(200, stream), `${created}data: {"type":"response.output_text.delta","delta":"`, forever('z'.repeat(65_536))), (b) => failsSaying(drain(b), endlessLine)),
    ],
  },
  {
    name: 'long answer streamed in pieces',
    inputs: [longAnswer(100_000, 4), longAnswer(400, 65_536), longAnswer(20_000, 100)],
  },
];
