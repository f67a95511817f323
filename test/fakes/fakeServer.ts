import { setMaxListeners } from 'node:events';
import * as http from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { assistantsV2Routes } from './assistantsV2Routes';
import { conversationRoutes } from './conversationRoutes';
import { fileRoutes } from './fileRoutes';
import type { FakeRequest, FakeResponse, Route, SseWriter } from './http';
import { asObject, errorBody, errorType, matchPath, parseBody } from './http';
import { responseRoutes } from './responseRoutes';
import { ScriptedModel } from './scriptedModel';
import { FakeStore } from './store';
import { FakeHostedMcp } from './hostedMcp';

export interface FakeServerOptions {
  /** Default true; false = a local model server with Responses but no Conversations (answers 404). */
  conversations?: boolean;
  /** Default true; false = answers 400 to `stream: true`; 'ignored' = answers a request for a stream as any other, in one JSON answer. */
  streaming?: boolean | 'ignored';
  /** Default true; false = a local server without background responses (answers 400 to `background: true`). */
  background?: boolean;
  /** Value of the `openai-poll-after-ms` header on GETs of unfinished runs/responses; default: none. */
  pollAfterMs?: number;
  /** Multiplies every scripted delay; default 1. */
  timeScale?: number;
  /** How far the server's clock is ahead of this machine's, in seconds (negative: behind); default 0. Moves every `created_at`. */
  clockOffsetSeconds?: number;
  /** Default true; false = a server that keeps no responses (every `GET /responses/{id}` answers 404). */
  keepsResponses?: boolean;
  /**
   * Default false; true = Azure OpenAI's v1 endpoint: routes live under /openai/v1/, the key must come
   * in the `api-key` header (a bearer token alone is refused), and `api-version` is refused.
   */
  azureV1?: boolean;
  /** Port on 127.0.0.1; default 0 (a random free port). */
  port?: number;
}

/** One request as the fake saw it, with what it answered. */
export interface RecordedRequest {
  method: string;
  /** Without the /v1 prefix. */
  path: string;
  /** The query string without `?`. */
  query: string;
  /** Request headers; credentials are redacted. */
  headers: Record<string, string | string[] | undefined>;
  body: unknown;
  /** 0 while unanswered (or when the connection was reset before an answer). */
  status: number;
  /** Parsed JSON, a Buffer for binary content, or the list of SSE events. */
  response: unknown;
}

/** A recorded server-sent event. */
export interface RecordedEvent {
  event: string;
  data: unknown;
}

export interface FaultSpec {
  method?: string;
  /** Matched against the path without /v1: a string is an exact path or a route template; or a RegExp. */
  path: string | RegExp;
  /** Default 1. */
  times?: number;
  /**
   * rate_limit: 429 + Retry-After (seconds, `retryAfterSeconds`, default 1; also retry-after-ms when `retryAfterMs`);
   * server_error: 500; reset: destroy the socket (for streams after `afterEvents` events, default 0);
   * slow_first_byte: wait `delayMs` before answering.
   */
  kind: 'rate_limit' | 'server_error' | 'reset' | 'slow_first_byte' | 'stall' | 'script';
  retryAfterSeconds?: number;
  retryAfterMs?: number;
  /**
   * reset: reset after this many SSE events (default 0). stall: write this many events, then nothing
   * more while the run goes on (the connection stays open until the client leaves).
   */
  afterEvents?: number;
  /** reset after `afterEvents`: first write half of the next event, so the client sees a frame cut in the middle. */
  midEvent?: boolean;
  delayMs?: number;
  /** kind `script`: the exact answer to send instead of the route's. */
  script?: ScriptedAnswer;
}

/**
 * An answer written byte for byte, as a real server or proxy might send it: a status, headers, then
 * chunks (text or raw bytes) with pauses between them, then an ending.
 */
export interface ScriptedAnswer {
  /** Default 200. */
  status?: number;
  headers?: Record<string, string>;
  chunks: (string | Buffer | { waitMs: number })[];
  /** close (default): end the response; reset: destroy the socket; hang: keep it open until the client leaves. */
  end?: 'close' | 'reset' | 'hang';
}

/**
 * A stateful, in-memory OpenAI server on 127.0.0.1 for tests and the offline demo: Responses, Conversations,
 * Files, Vector stores, Containers, Models, plus the Assistants v2 routes; with fault injection.
 */
export class FakeOpenAIServer {
  readonly model = new ScriptedModel();
  /** The remote MCP servers hosted `mcp` tools reach. */
  readonly mcp = new FakeHostedMcp();
  readonly requests: RecordedRequest[] = [];
  readonly store: FakeStore;
  readonly options: Readonly<Required<Omit<FakeServerOptions, 'pollAfterMs' | 'port'>> & { pollAfterMs?: number }>;
  private readonly routes: Route[] = [];
  private faults: FaultSpec[] = [];
  /** Every pending scripted wait listens to it: many at once is normal, not a leak. */
  private readonly lifetime = (() => {
    const controller = new AbortController();
    setMaxListeners(0, controller.signal);
    return controller;
  })();
  private readonly sockets = new Set<Socket>();
  private requestCounter = 0;
  private url = '';

  private constructor(private readonly server: http.Server, options: FakeServerOptions) {
    this.options = {
      conversations: options.conversations ?? true,
      streaming: options.streaming ?? true,
      background: options.background ?? true,
      keepsResponses: options.keepsResponses ?? true,
      azureV1: options.azureV1 ?? false,
      timeScale: options.timeScale ?? 1,
      clockOffsetSeconds: options.clockOffsetSeconds ?? 0,
      pollAfterMs: options.pollAfterMs,
    };
    this.store = new FakeStore(this.options.timeScale, this.options.clockOffsetSeconds);
  }

  static async start(options: FakeServerOptions = {}): Promise<FakeOpenAIServer> {
    const server = http.createServer();
    const fake = new FakeOpenAIServer(server, options);
    server.on('request', (req, res) => void fake.dispatch(req, res));
    server.on('connection', (socket) => {
      fake.sockets.add(socket);
      socket.on('close', () => fake.sockets.delete(socket));
    });
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(options.port ?? 0, '127.0.0.1', () => resolve());
    });
    const { port } = server.address() as AddressInfo;
    fake.url = `http://127.0.0.1:${port}/v1`;
    fake.use(conversationRoutes(fake));
    fake.use(responseRoutes(fake));
    fake.use(fileRoutes(fake));
    fake.use(assistantsV2Routes(fake));
    return fake;
  }

  /** 'http://127.0.0.1:PORT/v1' */
  get baseUrl(): string {
    return this.url;
  }

  /** 'http://127.0.0.1:PORT': the endpoint an Azure resource would have. */
  get endpoint(): string {
    return this.url.replace(/\/v1$/, '');
  }

  /**
   * Makes a server object vanish, as deleting it elsewhere or its expiry would: a conversation, an
   * Assistants v2 thread, a vector store or a file, by id. Requests naming it then get the
   * service's 404 (a vector store file whose file vanished reports `failed`). True when it existed.
   */
  vanish(id: string): boolean {
    const holders: Array<Map<string, unknown>> = [
      this.store.collection('conversations'),
      this.store.collection('assistantsV2.threads'),
      this.store.vectorStores,
      this.store.files,
    ];
    return holders.some((holder) => holder.delete(id));
  }

  inject(fault: FaultSpec): void {
    this.faults.push({ ...fault });
  }

  clearFaults(): void {
    this.faults = [];
  }

  /** Registers extra routes (the Assistants v2 module does this); state lives in `store`. */
  use(routes: Route[]): void {
    this.routes.push(...routes);
  }

  /** Aborted when the server closes: background work stops with it. */
  get signal(): AbortSignal {
    return this.lifetime.signal;
  }

  /**
   * Waits a scripted delay (scaled by `timeScale`). Resolves false at once when the server closes or `signal`
   * aborts meanwhile, so no timer outlives its purpose.
   */
  sleep(scriptedMs: number, signal?: AbortSignal): Promise<boolean> {
    const ms = this.store.scaled(scriptedMs);
    const signals = signal ? [this.lifetime.signal, signal] : [this.lifetime.signal];
    if (signals.some((s) => s.aborted)) return Promise.resolve(false);
    if (ms === 0) return Promise.resolve(true);
    return new Promise((resolve) => {
      const finish = (slept: boolean): void => {
        clearTimeout(timer);
        for (const s of signals) s.removeEventListener('abort', onAbort);
        resolve(slept);
      };
      const onAbort = (): void => finish(false);
      const timer = setTimeout(() => finish(true), ms);
      for (const s of signals) s.addEventListener('abort', onAbort, { once: true });
    });
  }

  /** The `openai-poll-after-ms` header for a GET of an unfinished object, when configured. */
  pollHeaders(unfinished: boolean): Record<string, string> {
    return unfinished && this.options.pollAfterMs !== undefined ? { 'openai-poll-after-ms': String(this.options.pollAfterMs) } : {};
  }

  async close(): Promise<void> {
    this.lifetime.abort();
    await new Promise<void>((resolve) => {
      this.server.close(() => resolve());
      for (const socket of this.sockets) socket.destroy();
    });
  }

  private async dispatch(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    this.requestCounter += 1;
    res.setHeader('x-request-id', `req_fake${this.requestCounter.toString().padStart(8, '0')}`);
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    const method = (req.method ?? 'GET').toUpperCase();
    const body = parseBody(req.headers['content-type'], Buffer.concat(chunks));
    let fullPath = url.pathname.replace(/\/+$/, '');
    const azureRefusal = this.options.azureV1 ? azureV1Refusal(fullPath, req.headers, url.searchParams) : undefined;
    if (this.options.azureV1 && !azureRefusal) fullPath = fullPath.replace(/^\/openai\/v1\//, '/v1/');
    const path = fullPath.startsWith('/v1/') ? fullPath.slice(3) : fullPath;
    const record: RecordedRequest = { method, path, query: url.search.replace(/^\?/, ''), headers: redact(req.headers), body, status: 0, response: undefined };
    this.requests.push(record);
    const fault = this.takeFault(method, path);
    const answer = new RecordingResponse(res, record, fault);
    try {
      if (fault?.kind === 'slow_first_byte') await this.sleepUnscaled(fault.delayMs ?? 1000);
      if (fault?.kind === 'script' && fault.script) {
        await this.writeScript(res, record, fault.script);
        return;
      }
      if (azureRefusal) {
        answer.error(azureRefusal.status, azureRefusal.message, 'invalid_request_error', null);
        return;
      }
      if (!hasCredentials(req.headers)) {
        answer.error(401, "You didn't provide an API key. Send it as 'Authorization: Bearer <key>'.", 'invalid_request_error', null);
        return;
      }
      if (fault?.kind === 'rate_limit') {
        const headers: Record<string, string> = { 'retry-after': String(fault.retryAfterSeconds ?? 1) };
        if (fault.retryAfterMs !== undefined) headers['retry-after-ms'] = String(fault.retryAfterMs);
        answer.error(429, 'Rate limit reached for requests.', 'requests', 'rate_limit_exceeded', headers);
        return;
      }
      if (fault?.kind === 'server_error') {
        answer.error(500, 'The server had an error while processing your request.', 'server_error', null);
        return;
      }
      if (!this.options.keepsResponses && method === 'GET' && /^\/responses\/[^/]+$/.test(path)) {
        answer.error(404, `Response with id '${path.split('/')[2]}' not found.`, 'invalid_request_error', null);
        return;
      }
      if (!fullPath.startsWith('/v1/')) {
        answer.error(404, `Invalid URL (${method} ${fullPath})`, 'invalid_request_error', null);
        return;
      }
      if (method === 'POST' && asObject(body).stream === true && this.options.streaming === 'ignored') delete asObject(body).stream;
    if (method === 'POST' && asObject(body).stream === true && !this.options.streaming) {
        answer.error(400, 'Streaming is not supported by this server.', 'invalid_request_error', 'unsupported_value');
        return;
      }
      for (const route of this.routes) {
        if (route.method !== method) continue;
        const params = matchPath(route.path, path);
        if (!params) continue;
        const request: FakeRequest = { method, path, params, query: url.searchParams, headers: req.headers, body };
        await route.handle(request, answer);
        return;
      }
      answer.error(404, `Invalid URL (${method} ${fullPath})`, 'invalid_request_error', null);
    } catch (err) {
      if (!answer.answered) answer.error(500, `Fake server error: ${err instanceof Error ? err.message : String(err)}`, 'server_error', null);
      else res.destroy();
    }
  }

  /** Sends a scripted answer byte for byte; the record keeps the text sent. */
  private async writeScript(res: http.ServerResponse, record: RecordedRequest, script: ScriptedAnswer): Promise<void> {
    record.status = script.status ?? 200;
    const sent: string[] = [];
    record.response = sent;
    res.writeHead(record.status, script.headers ?? {});
    res.flushHeaders();
    for (const chunk of script.chunks) {
      if (res.destroyed) return;
      if (typeof chunk === 'object' && !Buffer.isBuffer(chunk)) {
        await this.sleepUnscaled(chunk.waitMs);
        continue;
      }
      sent.push(chunk.toString());
      res.write(chunk);
    }
    if (script.end === 'reset') {
      res.socket?.destroy();
      res.destroy();
    } else if (script.end === 'hang') {
      await new Promise<void>((resolve) => {
        res.once('close', () => resolve());
        this.lifetime.signal.addEventListener('abort', () => resolve(), { once: true });
      });
    } else {
      res.end();
    }
  }

  /** Ends early when the server closes, so a long scripted wait does not keep the process alive. */
  private sleepUnscaled(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const done = (): void => {
        clearTimeout(timer);
        this.lifetime.signal.removeEventListener('abort', done);
        resolve();
      };
      const timer = setTimeout(done, ms);
      this.lifetime.signal.addEventListener('abort', done, { once: true });
    });
  }

  private takeFault(method: string, path: string): FaultSpec | undefined {
    const index = this.faults.findIndex(
      (f) =>
        (f.method === undefined || f.method.toUpperCase() === method) &&
        (typeof f.path === 'string' ? f.path === path || matchPath(f.path, path) !== undefined : f.path.test(path)),
    );
    if (index === -1) return undefined;
    const fault = this.faults[index];
    const left = (fault.times ?? 1) - 1;
    if (left <= 0) this.faults.splice(index, 1);
    else fault.times = left;
    return fault;
  }
}

/** What Azure's v1 endpoint says to a request that is not shaped for it. */
function azureV1Refusal(fullPath: string, headers: http.IncomingHttpHeaders, query: URLSearchParams): { status: number; message: string } | undefined {
  if (!fullPath.startsWith('/openai/v1/')) return { status: 404, message: `Resource not found: ${fullPath} is not under /openai/v1/.` };
  const key = headers['api-key'];
  if (typeof key !== 'string' || key === '') return { status: 401, message: "Access denied due to missing subscription key. Make sure to include the 'api-key' header." };
  if (query.has('api-version')) return { status: 400, message: 'The v1 API does not take an api-version query parameter.' };
  return undefined;
}

function hasCredentials(headers: http.IncomingHttpHeaders): boolean {
  const auth = headers.authorization;
  if (typeof auth === 'string' && /^Bearer\s+\S+/i.test(auth)) return true;
  const key = headers['api-key'];
  return typeof key === 'string' && key.length > 0;
}

function redact(headers: http.IncomingHttpHeaders): Record<string, string | string[] | undefined> {
  const copy: Record<string, string | string[] | undefined> = { ...headers };
  if (copy.authorization !== undefined) copy.authorization = 'Bearer <redacted>';
  if (copy['api-key'] !== undefined) copy['api-key'] = '<redacted>';
  return copy;
}

/** A FakeResponse that writes to Node's response and records what it wrote. */
class RecordingResponse implements FakeResponse {
  answered = false;

  /** Set when a reset fault applies: reset after this many SSE events, or instead of any other answer. */
  private readonly resetAfterEvents: number | undefined;
  /** Set when a stall fault applies: after this many SSE events, write nothing more and keep the connection. */
  private readonly stallAfterEvents: number | undefined;

  constructor(
    private readonly res: http.ServerResponse,
    private readonly record: RecordedRequest,
    private readonly fault: FaultSpec | undefined,
  ) {
    this.resetAfterEvents = fault?.kind === 'reset' ? (fault.afterEvents ?? 0) : undefined;
    this.stallAfterEvents = fault?.kind === 'stall' ? (fault.afterEvents ?? 0) : undefined;
  }

  json(status: number, body: unknown, headers: Record<string, string> = {}): void {
    if (this.begin()) return;
    this.record.status = status;
    this.record.response = body;
    this.res.writeHead(status, { 'content-type': 'application/json', ...headers });
    this.res.end(JSON.stringify(body));
  }

  error(status: number, message: string, type = errorType(status), code: string | null = null, headers: Record<string, string> = {}): void {
    this.json(status, errorBody(message, type, code), headers);
  }

  bytes(status: number, data: Buffer, contentType: string): void {
    if (this.begin()) return;
    this.record.status = status;
    this.record.response = data;
    this.res.writeHead(status, { 'content-type': contentType, 'content-length': String(data.length) });
    this.res.end(data);
  }

  sse(): SseWriter {
    this.answered = true;
    const events: RecordedEvent[] = [];
    this.record.status = 200;
    this.record.response = events;
    const res = this.res;
    let closed = false;
    res.on('close', () => {
      closed = true;
    });
    res.writeHead(200, { 'content-type': 'text/event-stream; charset=utf-8', 'cache-control': 'no-cache', connection: 'keep-alive' });
    res.flushHeaders();
    const resetAfter = this.resetAfterEvents;
    const stallAfter = this.stallAfterEvents;
    const midEvent = this.fault?.midEvent === true;
    // A stalled stream swallows everything after its quota of events; the socket stays open until the client leaves.
    const stalled = (): boolean => stallAfter !== undefined && events.length >= stallAfter;
    const write = async (text: string): Promise<void> => {
      if (closed || res.writableEnded) return;
      if (!res.write(text)) await new Promise<void>((resolve) => {
        const done = (): void => {
          res.off('drain', done);
          res.off('close', done);
          resolve();
        };
        res.once('drain', done);
        res.once('close', done);
      });
    };
    const writer: SseWriter = {
      get closed() {
        return closed || res.writableEnded || res.destroyed;
      },
      async event(name, data) {
        if (writer.closed || stalled()) return;
        const frame = `event: ${name}\ndata: ${JSON.stringify(data)}\n\n`;
        if (resetAfter !== undefined && events.length >= resetAfter) {
          if (midEvent) await write(frame.slice(0, Math.floor(frame.length / 2)));
          writer.destroy();
          return;
        }
        events.push({ event: name, data });
        await write(frame);
      },
      async done() {
        if (writer.closed || stalled()) return;
        events.push({ event: 'done', data: '[DONE]' });
        await write('event: done\ndata: [DONE]\n\n');
        writer.end();
      },
      end() {
        if (!writer.closed && !stalled()) res.end();
      },
      destroy() {
        closed = true;
        res.socket?.destroy();
        res.destroy();
      },
    };
    return writer;
  }

  /** True when the answer must be dropped (a reset fault); marks the request answered. */
  private begin(): boolean {
    this.answered = true;
    if (this.resetAfterEvents === undefined) return false;
    this.res.socket?.destroy();
    this.res.destroy();
    return true;
  }
}
