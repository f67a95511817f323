import type * as http from 'node:http';

/** One parsed request, as a route sees it. */
export interface FakeRequest {
  method: string;
  /** Without the /v1 prefix, e.g. '/responses/resp_1'. */
  path: string;
  /** Values of the `:name` segments of the matched route template. */
  params: Record<string, string>;
  query: URLSearchParams;
  headers: http.IncomingHttpHeaders;
  /** Parsed JSON, or for multipart a record of fields (strings) and files. */
  body: unknown;
}

/** A multipart file field. */
export interface MultipartFile {
  filename: string;
  data: Buffer;
}

/** Server-sent events on one response. */
export interface SseWriter {
  /** Writes `event: name\ndata: json\n\n`; resolves once written (or at once when the stream is closed). */
  event(name: string, data: unknown): Promise<void>;
  /** Writes the Assistants-style terminator (`event: done` + `data: [DONE]`), then ends. Responses streams just `end()`. */
  done(): Promise<void>;
  end(): void;
  /** Abrupt reset of the connection, as a dropped network would do. */
  destroy(): void;
  /** True once the stream ended, was destroyed, or the client went away. */
  readonly closed: boolean;
}

/** How a route answers. Exactly one of these methods is called per request. */
export interface FakeResponse {
  json(status: number, body: unknown, headers?: Record<string, string>): void;
  /** OpenAI's error shape: `{ error: { message, type, param, code } }`. */
  error(status: number, message: string, type?: string, code?: string | null, headers?: Record<string, string>): void;
  bytes(status: number, data: Buffer, contentType: string): void;
  sse(): SseWriter;
}

/** One endpoint of the fake. */
export interface Route {
  method: 'GET' | 'POST' | 'DELETE';
  /** A template relative to /v1, e.g. '/threads/:thread_id/runs'. */
  path: string;
  handle(req: FakeRequest, res: FakeResponse): void | Promise<void>;
}

/** Matches `path` against a template like '/threads/:thread_id/runs'; returns the params or undefined. */
export function matchPath(template: string, path: string): Record<string, string> | undefined {
  const want = template.split('/');
  const got = path.split('/');
  if (want.length !== got.length) return undefined;
  const params: Record<string, string> = {};
  for (let i = 0; i < want.length; i++) {
    const segment = want[i];
    if (segment.startsWith(':')) {
      if (got[i] === '') return undefined;
      params[segment.slice(1)] = decodeURIComponent(got[i]);
    } else if (segment !== got[i]) {
      return undefined;
    }
  }
  return params;
}

/** The default `type` of an OpenAI error for an HTTP status. */
export function errorType(status: number): string {
  if (status === 401) return 'invalid_request_error';
  if (status === 404) return 'invalid_request_error';
  if (status === 429) return 'rate_limit_exceeded';
  if (status >= 500) return 'server_error';
  return 'invalid_request_error';
}

/** The OpenAI error body. */
export function errorBody(message: string, type: string, code: string | null, param: string | null = null): unknown {
  return { error: { message, type, param, code } };
}

/** Parses a request body by its content type. */
export function parseBody(contentType: string | undefined, raw: Buffer): unknown {
  if (raw.length === 0) return undefined;
  const type = (contentType ?? '').toLowerCase();
  if (type.startsWith('multipart/form-data')) {
    const boundary = /boundary=(?:"([^"]+)"|([^;]+))/i.exec(contentType ?? '');
    const value = boundary?.[1] ?? boundary?.[2];
    return value ? parseMultipart(raw, value) : undefined;
  }
  const text = raw.toString('utf8');
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return text;
  }
}

function parseMultipart(raw: Buffer, boundary: string): Record<string, string | MultipartFile> {
  const fields: Record<string, string | MultipartFile> = {};
  const delimiter = Buffer.from(`--${boundary}`);
  let start = raw.indexOf(delimiter);
  while (start !== -1) {
    const partStart = start + delimiter.length;
    const next = raw.indexOf(delimiter, partStart);
    if (next === -1) break;
    // Each part is CRLF, headers, CRLF CRLF, data, CRLF before the next delimiter.
    const part = raw.subarray(partStart + 2, next - 2);
    const headerEnd = part.indexOf('\r\n\r\n');
    if (headerEnd !== -1) {
      const headers = part.subarray(0, headerEnd).toString('utf8');
      const data = part.subarray(headerEnd + 4);
      const name = /name="([^"]*)"/i.exec(headers)?.[1];
      const filename = /filename="([^"]*)"/i.exec(headers)?.[1];
      if (name !== undefined) {
        fields[name] = filename !== undefined ? { filename, data: Buffer.from(data) } : data.toString('utf8');
      }
    }
    start = next;
  }
  return fields;
}

/** Narrows a parsed body to a JSON object (or an empty one). */
export function asObject(body: unknown): Record<string, unknown> {
  return typeof body === 'object' && body !== null && !Array.isArray(body) ? (body as Record<string, unknown>) : {};
}

/** Narrows a multipart field to a file. */
export function isMultipartFile(value: unknown): value is MultipartFile {
  return typeof value === 'object' && value !== null && Buffer.isBuffer((value as { data?: unknown }).data);
}
