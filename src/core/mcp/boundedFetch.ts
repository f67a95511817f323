/**
 * A `fetch` for the MCP SDK's HTTP transports (`StreamableHTTPClientTransport`, `SSEClientTransport`,
 * both through their `fetch` option, which the SSE transport also hands to its EventSource) that will
 * not read an unbounded answer. Over stdio the SDK caps a message (`maxBufferSize`); over HTTP it reads
 * whatever arrives, so a server answering with one endless event-stream line, or a huge JSON body, made
 * the extension host buffer gigabytes.
 *
 * The answer's body is passed through a `TransformStream` that keeps only counters, never the body:
 * - `text/event-stream`: the stream errors once more than the limit arrives since the last event
 *   boundary (a blank line). A long-lived stream of normal events flows on for ever.
 * - anything else (JSON): the stream errors once the body exceeds the limit in total, and a declared
 *   `Content-Length` above the limit is refused before any of the body is read.
 */

/**
 * The most a local MCP server's message may hold, 4 MB, whichever its transport: over stdio it is
 * the SDK's `StdioClientTransport` `maxBufferSize` (src/host/mcp/mcpServers.ts); over HTTP, this
 * file's limit. A message over it closes the connection.
 */
export const MAX_MCP_MESSAGE_BYTES = 4 * 1024 * 1024;

/** The `fetch` the SDK's transports accept (its `FetchLike`). */
export type McpFetch = (url: string | URL, init?: RequestInit) => Promise<Response>;

/** An answer, or one event of an event stream, was larger than the limit. */
export class McpMessageTooLargeError extends Error {
  constructor(message: string, readonly limit: number) {
    super(message);
    this.name = 'McpMessageTooLargeError';
  }
}

/** Statuses whose Response may not have a body. */
const NULL_BODY_STATUSES = new Set([204, 205, 304]);

/**
 * Wraps `base` (the global fetch by default) so that every answer's body is bounded by `limit` bytes
 * as described above. Status, status text, headers and URL of the answer are kept.
 */
export function boundedFetch(limit: number = MAX_MCP_MESSAGE_BYTES, base: McpFetch = (url, init) => fetch(url, init)): McpFetch {
  if (!Number.isSafeInteger(limit) || limit <= 0) throw new RangeError(`The MCP message limit must be a positive number of bytes, not ${limit}.`);
  return async (url, init) => {
    const response = await base(url, init);
    if (!response.body || NULL_BODY_STATUSES.has(response.status)) return response;
    const eventStream = mediaType(response.headers.get('content-type')) === 'text/event-stream';
    if (!eventStream && declaredLength(response) > limit) {
      await response.body.cancel().catch(() => undefined);
      throw tooLarge(limit, 'announced');
    }
    const body = response.body.pipeThrough(eventStream ? eventStreamLimit(limit) : totalLimit(limit));
    const bounded = new Response(body, { status: response.status, statusText: response.statusText, headers: response.headers });
    // A constructed Response has no `url` (the SDK names it in redirect messages) and is never `redirected`.
    Object.defineProperty(bounded, 'url', { value: response.url });
    Object.defineProperty(bounded, 'redirected', { value: response.redirected });
    return bounded;
  };
}

/** Passes a body on while counting it; errors once it has exceeded `limit` bytes. */
export function totalLimit(limit: number): TransformStream<Uint8Array, Uint8Array> {
  let total = 0;
  return new TransformStream({
    transform(chunk, controller) {
      total += chunk.byteLength;
      if (total > limit) controller.error(tooLarge(limit, 'sent'));
      else controller.enqueue(chunk);
    },
  });
}

const LF = 0x0a;
const CR = 0x0d;

/**
 * Passes an event stream on, erroring once more than `limit` bytes arrive with no event boundary: an
 * empty line, where lines end with CRLF, LF or CR as the event-stream format allows (so "\n\n",
 * "\r\n\r\n", "\r\r", ...). Only two facts are carried from one chunk to the next: the bytes since the
 * last boundary, and where the previous chunk ended within a line ending, so a boundary split across
 * chunks is still seen. Each byte is looked at once.
 */
export function eventStreamLimit(limit: number): TransformStream<Uint8Array, Uint8Array> {
  let pending = 0; // bytes of the current event that arrived in earlier chunks
  let lineStart = true; // the previous byte ended a line (or began the stream)
  let afterCr = false; // the previous byte was CR, so an LF now only completes that line ending
  return new TransformStream({
    transform(chunk, controller) {
      let start = 0; // where the current event begins in this chunk
      for (let i = 0; i < chunk.length; i++) {
        const byte = chunk[i];
        if (byte === LF && afterCr) {
          afterCr = false; // CRLF: the CR already ended the line
        } else if (byte === LF || byte === CR) {
          afterCr = byte === CR;
          if (lineStart) {
            // An empty line: the event ends here.
            if (pending + i + 1 - start > limit) return controller.error(tooLarge(limit, 'sent'));
            pending = 0;
            start = i + 1;
          }
          lineStart = true;
        } else {
          lineStart = false;
          afterCr = false;
        }
      }
      pending += chunk.length - start;
      if (pending > limit) controller.error(tooLarge(limit, 'sent'));
      else controller.enqueue(chunk);
    },
  });
}

function tooLarge(limit: number, verb: 'sent' | 'announced'): McpMessageTooLargeError {
  return new McpMessageTooLargeError(`The MCP server ${verb} a message of more than ${formatBytes(limit)}, so it was not read.`, limit);
}

function formatBytes(bytes: number): string {
  if (bytes % (1024 * 1024) === 0) return `${bytes / (1024 * 1024)} MB`;
  if (bytes % 1024 === 0) return `${bytes / 1024} KB`;
  return `${bytes} bytes`;
}

/** "text/event-stream" from "Text/Event-Stream; charset=utf-8"; '' when there is none. */
function mediaType(contentType: string | null): string {
  return (contentType ?? '').split(';')[0].trim().toLowerCase();
}

/**
 * The Content-Length the server declared, when it is the length of what will be read: fetch decodes a
 * Content-Encoding, so a compressed body's length says little (its decoded bytes are still counted).
 */
function declaredLength(response: Response): number {
  const encoding = (response.headers.get('content-encoding') ?? '').trim().toLowerCase();
  if (encoding && encoding !== 'identity') return -1;
  const length = Number(response.headers.get('content-length') ?? '');
  return Number.isFinite(length) ? length : -1;
}
