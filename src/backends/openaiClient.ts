import { AzureOpenAI, OpenAI } from 'openai';
import type { ProviderConfig } from '../core/provider';
import { DEFAULT_BASE_URL } from '../core/provider';
import { originBoundRedirects } from './redirects';

/** Long enough for a slow first byte of a stream, short enough that a dead connection surfaces. */
const REQUEST_TIMEOUT_MS = 120_000;

/**
 * The one place an SDK client is built. `maxRetries: 0` because the run driver retries itself and
 * reports each wait to the user; the SDK would otherwise wait silently.
 */
export function createOpenAIClient(config: ProviderConfig, options: { fetch?: typeof fetch } = {}): OpenAI {
  const common = {
    apiKey: config.apiKey,
    organization: config.organization ?? null,
    project: config.project ?? null,
    maxRetries: 0,
    timeout: REQUEST_TIMEOUT_MS,
    // Redirects are followed by our own rule: the key never leaves the configured origin.
    fetch: refusingPages(boundedAnswers(originBoundRedirects(options.fetch))),
  };
  if (config.azure && isAzureV1(config.azure)) {
    // Azure's v1 endpoint speaks the OpenAI API under /openai/v1/ with no api-version; the key goes
    // in Azure's own `api-key` header, not as a bearer token.
    return new OpenAI({
      ...common,
      baseURL: azureV1Url(config.azure.endpoint),
      defaultHeaders: { 'api-key': config.apiKey, authorization: null },
    });
  }
  if (config.azure) {
    return new AzureOpenAI({
      ...common,
      endpoint: config.azure.endpoint,
      apiVersion: config.azure.apiVersion,
      ...(config.azure.deployment ? { deployment: config.azure.deployment } : {}),
    });
  }
  return new OpenAI({ ...common, baseURL: config.baseUrl ?? DEFAULT_BASE_URL });
}

/**
 * Azure OpenAI's v1 endpoint (https://learn.microsoft.com/azure/ai-foundry/openai/api-version-lifecycle):
 * chosen by a base URL that already ends in /openai/v1, or by the API version `v1`.
 */
export function isAzureV1(azure: NonNullable<ProviderConfig['azure']>): boolean {
  return azure.apiVersion.trim().toLowerCase() === 'v1' || /\/openai\/v1\/?$/.test(azure.endpoint);
}

/** `https://<resource>.openai.azure.com` or its `/openai/v1` form, as the v1 base URL. */
function azureV1Url(endpoint: string): string {
  const trimmed = endpoint.replace(/\/+$/, '');
  return /\/openai\/v1$/.test(trimmed) ? trimmed : `${trimmed}/openai/v1`;
}

/** The key under which a request's `fetchOptions` carry the function told of its stream's activity. */
const STREAM_ACTIVITY = Symbol('streamActivity');

/**
 * Request options that have `onActivity` called whenever a piece of the answer's stream arrives:
 * an event of any kind, or a comment line (`: keep-alive`), which the SDK reads past without a
 * word. Proof that the server is there while it sends no event the run is made of.
 */
export function streamActivity(onActivity: (() => void) | undefined): { fetchOptions?: FetchOptions } {
  return onActivity ? { fetchOptions: { [STREAM_ACTIVITY]: onActivity } as FetchOptions } : {};
}

/** The SDK's per-request `fetchOptions` (its type is not exported by name). */
type FetchOptions = NonNullable<NonNullable<Parameters<OpenAI['models']['retrieve']>[1]>['fetchOptions']>;

function activityOf(init: RequestInit | undefined): (() => void) | undefined {
  const found: unknown = init ? (init as Record<symbol, unknown>)[STREAM_ACTIVITY] : undefined;
  return typeof found === 'function' ? (found as () => void) : undefined;
}

/**
 * Raised (inside the SDK's connection error) for a JSON object answering a request that asked for a
 * stream: a server that does not stream answered all at once (the whole response, or the run it
 * started). It is the answer, not a failure: the backend reads it as the run it names.
 */
export class WholeAnswerError extends Error {
  constructor(readonly answer: Record<string, unknown>) {
    super('The server answered a request for a stream with one JSON answer.');
    this.name = 'WholeAnswerError';
  }
}

/** The JSON answer a request for a stream got instead of one (see `WholeAnswerError`), if that is what `error` is. */
export function wholeAnswerOf(error: unknown): Record<string, unknown> | undefined {
  const found = error instanceof WholeAnswerError ? error : error instanceof Error && error.cause instanceof WholeAnswerError ? error.cause : undefined;
  return found?.answer;
}

/** Whether a request's body asks for a stream (`"stream": true`). */
function asksForStream(init: RequestInit | undefined): boolean {
  return typeof init?.body === 'string' && /"stream"\s*:\s*true/.test(init.body);
}

/** Raised (inside the SDK's connection error) for a successful answer that is a web page, not the API. */
export class PageAnswerError extends Error {
  constructor(readonly contentType: string) {
    super(`The server answered with ${contentType}, not the API's JSON.`);
    this.name = 'PageAnswerError';
  }
}

/**
 * A successful answer that broke off: an empty body, or JSON that ends too soon (a proxy or a server
 * that closed the connection mid-answer). Raised inside the SDK's connection error, like a dropped
 * connection, because that is what it is: the same request may well succeed again.
 */
export class BrokenAnswerError extends Error {
  constructor(readonly problem: 'empty' | 'cut off') {
    super(problem === 'empty' ? 'The server answered with an empty body.' : "The server's JSON answer was cut off.");
    this.name = 'BrokenAnswerError';
  }
}

/** An answer of the API (a JSON object or list) is read up to this many bytes. */
export const MAX_ANSWER_BYTES = 64 * 1024 * 1024;
/** A stream is read up to this many bytes in all; a long answer streams a few tens of MB. */
export const MAX_STREAM_BYTES = 256 * 1024 * 1024;
/** One line of a stream (one event's data) is read up to this many bytes: the last event carries the whole response. */
export const MAX_STREAM_LINE_BYTES = 32 * 1024 * 1024;
/** Of an error answer only this many bytes are read: its message is all we show, and only its start. */
export const MAX_ERROR_BYTES = 64 * 1024;

/**
 * Raised (inside the SDK's connection error, or from a stream being read) when an answer goes past
 * what any answer of the API needs ({@link MAX_ANSWER_BYTES}, {@link MAX_STREAM_BYTES},
 * {@link MAX_STREAM_LINE_BYTES}): a server or proxy that sends without end would otherwise fill the
 * editor's memory. The rest is not read.
 */
export class OversizedAnswerError extends Error {
  constructor(
    readonly limit: 'answer' | 'stream' | 'line',
    readonly bytes: number,
  ) {
    super(`The server's ${limit === 'line' ? 'stream sent a line' : limit} longer than ${bytes} bytes.`);
    this.name = 'OversizedAnswerError';
  }
}

/**
 * Bounds what is read of each answer: an error answer is cut at {@link MAX_ERROR_BYTES} (its start
 * says what went wrong) and read before `fetch` returns, within the SDK's timeout; a stream fails at {@link MAX_STREAM_BYTES} in all or a line of
 * {@link MAX_STREAM_LINE_BYTES}; any other answer fails past {@link MAX_ANSWER_BYTES}, except file
 * contents, which their reader bounds by the file's own limit. How long it may take is bounded by
 * the SDK's timeout (a JSON answer is read whole inside `fetch`) or, for a stream, by the run's
 * watch on a silent stream.
 */
function boundedAnswers(inner: typeof fetch): typeof fetch {
  return async (input, init) => {
    const response = await inner(input, init);
    if (!response.body) return response;
    const type = (response.headers.get('content-type') ?? '').toLowerCase();
    const url = typeof input === 'string' ? input : input instanceof URL ? input.href : input.url;
    if (!response.ok) {
      // Read here, where the SDK's timeout still runs: it reads an error's body after, without one.
      const text = await new Response(response.body.pipeThrough(cutAt(MAX_ERROR_BYTES))).text();
      const headers = new Headers(response.headers);
      headers.delete('content-length');
      headers.delete('content-encoding');
      return new Response(text, { status: response.status, statusText: response.statusText, headers });
    }
    let body: ReadableStream<Uint8Array>;
    if (type.startsWith('text/event-stream')) body = response.body.pipeThrough(refusingMarkup()).pipeThrough(failPast(MAX_STREAM_BYTES, MAX_STREAM_LINE_BYTES, activityOf(init)));
    else if (!/\/content(\?|$)/.test(url)) body = response.body.pipeThrough(failPast(MAX_ANSWER_BYTES));
    else return response;
    return new Response(body, { status: response.status, statusText: response.statusText, headers: response.headers });
  };
}

/**
 * Fails a stream that begins with markup (`<`): a proxy's web page sent as `text/event-stream`. No
 * line of an event stream starts so (each is a field, a comment or blank), and read as one it would
 * hold no event, so the run would be asked for again and again.
 */
function refusingMarkup(): TransformStream<Uint8Array, Uint8Array> {
  let start = true;
  return new TransformStream({
    transform(chunk, controller) {
      if (start) {
        const first = chunk.findIndex((byte) => byte !== 0x20 && byte !== 0x09 && byte !== 0x0a && byte !== 0x0d && byte !== 0xef && byte !== 0xbb && byte !== 0xbf);
        if (first >= 0) {
          start = false;
          if (chunk[first] === 0x3c) return controller.error(new PageAnswerError('a web page labelled text/event-stream'));
        }
      }
      controller.enqueue(chunk);
    },
  });
}

/** Passes the first `max` bytes on, then ends the stream there (and stops reading the rest). */
function cutAt(max: number): TransformStream<Uint8Array, Uint8Array> {
  let seen = 0;
  return new TransformStream({
    transform(chunk, controller) {
      const room = max - seen;
      seen += chunk.byteLength;
      controller.enqueue(room >= chunk.byteLength ? chunk : chunk.subarray(0, Math.max(0, room)));
      if (seen >= max) controller.terminate();
    },
  });
}

/**
 * Passes bytes on until `max` in all, or `maxLine` without a line break (when given), then fails the
 * stream; `onBytes` hears of every piece that arrives.
 */
function failPast(max: number, maxLine?: number, onBytes?: () => void): TransformStream<Uint8Array, Uint8Array> {
  let seen = 0;
  let line = 0;
  return new TransformStream({
    transform(chunk, controller) {
      onBytes?.();
      seen += chunk.byteLength;
      if (seen > max) return controller.error(new OversizedAnswerError(maxLine ? 'stream' : 'answer', max));
      if (maxLine !== undefined) {
        const lastBreak = Math.max(chunk.lastIndexOf(0x0a), chunk.lastIndexOf(0x0d));
        line = lastBreak < 0 ? line + chunk.byteLength : chunk.byteLength - lastBreak - 1;
        if (line > maxLine) return controller.error(new OversizedAnswerError('line', maxLine));
      }
      controller.enqueue(chunk);
    },
  });
}

/**
 * A proxy's login page or a web server's index answers 200 with HTML; the SDK would hand that back
 * as text and fail later in a way that looks like a bug. No endpoint of the API answers HTML. A JSON
 * answer is read here whole and checked, so an empty or cut-off body is told apart from one that is
 * no JSON at all, instead of surfacing as the SDK's `SyntaxError` or a missing object.
 */
function refusingPages(inner: typeof fetch): typeof fetch {
  return async (input, init) => {
    const response = await inner(input, init);
    const type = response.headers.get('content-type') ?? '';
    if (response.ok && /^text\/html/i.test(type)) {
      await response.body?.cancel();
      throw new PageAnswerError(type);
    }
    if (!response.ok || response.status === 204 || !(isJsonType(type) || mayBeBareJson(type, input))) return response;
    const text = await response.text();
    // Without a JSON type: an empty body broke off; a JSON object is read as one (the server left out
    // its type); any other text goes on as text (not the API's answer).
    if (!isJsonType(type)) {
      const problem = jsonProblem(text);
      if (problem === 'empty') throw new BrokenAnswerError('empty');
      const headers = new Headers(response.headers);
      if (problem === undefined) headers.set('content-type', 'application/json');
      return new Response(text, { status: response.status, statusText: response.statusText, headers });
    }
    const problem = jsonProblem(text);
    if (problem === 'not json') throw new PageAnswerError(type);
    if (problem) throw new BrokenAnswerError(problem);
    // Read as a stream, the SDK would find no event in it and the request would be sent again.
    if (asksForStream(init) && !text.trimStart().startsWith('[')) throw new WholeAnswerError(JSON.parse(text) as Record<string, unknown>);
    return new Response(text, { status: response.status, statusText: response.statusText, headers: response.headers });
  };
}

/**
 * An answer that should be JSON but names no type (or plain text): some servers and proxies send an
 * empty body so. File contents (`.../content`) are bytes of any type, and may be empty.
 */
function mayBeBareJson(type: string, input: Parameters<typeof fetch>[0]): boolean {
  const url = typeof input === 'string' ? input : input instanceof URL ? input.href : input.url;
  return (type === '' || /^text\/plain/i.test(type)) && !/\/content(\?|$)/.test(url);
}

function isJsonType(type: string): boolean {
  const media = type.split(';')[0].trim().toLowerCase();
  return media.includes('application/json') || media.endsWith('+json');
}

/**
 * What is wrong with a JSON answer of the API, which is always an object (or a list): nothing, no
 * body at all, JSON that stops before its end (it starts like JSON and does not parse), or no JSON.
 */
function jsonProblem(text: string): 'empty' | 'cut off' | 'not json' | undefined {
  const trimmed = text.trim();
  if (trimmed === '') return 'empty';
  let value: unknown;
  try {
    value = JSON.parse(trimmed);
  } catch {
    return /^[[{]/.test(trimmed) ? 'cut off' : 'not json';
  }
  return typeof value === 'object' && value !== null ? undefined : 'not json';
}
