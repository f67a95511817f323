/** Redirects followed for one request before it is given up (the fetch standard allows 20). */
export const MAX_REDIRECTS = 10;

const REDIRECT_STATUSES = new Set([301, 302, 303, 307, 308]);

/**
 * Headers a request keeps when a redirect takes it to another origin: they describe the request,
 * not who sends it. Every other header goes, whatever its name: the bearer token, Azure's
 * `api-key`, cookies, proxy credentials, the organization and project ids, idempotency keys, and
 * any header a proxy or a future SDK adds.
 */
const CROSS_ORIGIN_HEADERS = new Set(['accept', 'accept-encoding', 'accept-language', 'user-agent', 'openai-beta']);
const isCrossOriginSafe = (name: string): boolean => CROSS_ORIGIN_HEADERS.has(name) || name.startsWith('x-stainless-');

/** Headers that describe a body, dropped with the body when a redirect turns the request into a GET. */
const BODY_HEADERS = ['content-type', 'content-length', 'content-encoding', 'content-language', 'content-location'];

/**
 * A redirect this client will not follow: to another origin for a request that sends something
 * (its body would go there), to a URL that names no server (`data:`, `file:`, `blob:`, `about:`:
 * the answer would be made up by the redirect, or read from the disk), or one whose body cannot be
 * sent twice, or too many in a row. Thrown
 * from inside `fetch`, so the SDK hands it up as the cause of its connection error.
 */
export class RedirectRefusedError extends Error {
  constructor(
    /** Origin of the configured server (`https://host:port`). */
    readonly from: string,
    /** Origin the server pointed to; for a loop, the URL; for a URL that names no server, its scheme (`data:`). */
    readonly to: string,
    readonly reason: 'cross_origin' | 'not_a_server' | 'unrepeatable_body' | 'too_many',
  ) {
    super(`Redirect from ${from} to ${to} refused (${reason}).`);
    this.name = 'RedirectRefusedError';
  }
}

/**
 * Wraps `fetch` so that the key goes to the origin the request was made for and nowhere else.
 * Redirects are followed here (`redirect: 'manual'` underneath), as the fetch standard follows
 * them, except across origins (another scheme, host or port): there a GET or HEAD is followed with
 * every credential header dropped (see `CROSS_ORIGIN_HEADERS`), and any other request is refused
 * with {@link RedirectRefusedError}, since its body would go to a server nobody configured.
 * Node's own fetch drops only `Authorization` and cookies across origins; Azure's `api-key` would
 * go along.
 *
 * `inner` is looked up at call time (the host may patch the global fetch for proxy support).
 */
export function originBoundRedirects(inner?: typeof fetch): typeof fetch {
  return async (input, given) => {
    const doFetch = inner ?? globalThis.fetch;
    // A Request carries what an init would; its body is a stream, sent once.
    const init: RequestInit | undefined = input instanceof Request ? { method: input.method, headers: input.headers, body: input.body, signal: input.signal, ...(input.body ? { duplex: 'half' } : {}), ...given } : given;
    const origin = new URL(input instanceof Request ? input.url : String(input)).origin;
    const asked = (init?.method ?? 'GET').toUpperCase();
    let url = new URL(input instanceof Request ? input.url : String(input));
    let method = asked;
    let headers = new Headers(init?.headers);
    let body = init?.body ?? null;
    for (let hop = 0; ; hop++) {
      const response = await doFetch(url, { ...init, method, headers, body, redirect: 'manual' });
      const location = response.headers.get('location');
      if (!REDIRECT_STATUSES.has(response.status) || location === null || init?.redirect === 'manual') return response;
      await response.body?.cancel().catch(() => undefined);
      const next = new URL(location, url);
      if (next.protocol !== 'http:' && next.protocol !== 'https:') throw new RedirectRefusedError(origin, next.protocol, 'not_a_server');
      if (hop + 1 > MAX_REDIRECTS) throw new RedirectRefusedError(origin, next.href, 'too_many');
      // The fetch standard's method change: 303 (except HEAD), and 301/302 after a POST, become a bodiless GET.
      if ((response.status === 303 && method !== 'HEAD') || ((response.status === 301 || response.status === 302) && method === 'POST')) {
        method = 'GET';
        body = null;
        headers = withoutHeaders(headers, (name) => BODY_HEADERS.includes(name));
      }
      if (next.origin !== origin) {
        // Only a request that reads may go elsewhere: one that sent something would send it there.
        if (asked !== 'GET' && asked !== 'HEAD') throw new RedirectRefusedError(origin, next.origin, 'cross_origin');
        headers = withoutHeaders(headers, (name) => !isCrossOriginSafe(name));
      } else if (body !== null && !repeatable(body)) {
        throw new RedirectRefusedError(origin, next.origin, 'unrepeatable_body');
      }
      url = next;
    }
  };
}

function withoutHeaders(headers: Headers, drop: (lowerCaseName: string) => boolean): Headers {
  const kept = new Headers();
  headers.forEach((value, name) => {
    if (!drop(name.toLowerCase())) kept.append(name, value);
  });
  return kept;
}

/** A body that can be sent a second time (a stream is read once). */
function repeatable(body: NonNullable<RequestInit['body']>): boolean {
  return !(body instanceof ReadableStream) && !(typeof body === 'object' && Symbol.asyncIterator in body);
}
