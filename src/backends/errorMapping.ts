import {
  APIConnectionError,
  APIConnectionTimeoutError,
  APIError,
  APIUserAbortError,
} from 'openai';
import { AssistantsError, asAssistantsError } from '../core/errors';
import { oneLine } from '../common/showable';
import type { ErrorKind, MissingObject } from '../core/errors';
import type { RunError } from '../common/model';
import { BrokenAnswerError, OversizedAnswerError, PageAnswerError } from './openaiClient';
import { MAX_REDIRECTS, RedirectRefusedError } from './redirects';

/** Where the request went, for "Could not reach <host>". */
export interface ErrorContext {
  baseUrl?: string;
  /** The key in use, only so that a server echoing it back never gets it into a message. */
  apiKey?: string;
}

/**
 * Turns anything an SDK call can throw into an AssistantsError with a sentence the user can act on.
 * The server's own message is kept where it helps (with anything key-like masked); the raw error
 * stays available as `options.cause` for the output channel.
 */
export function toAssistantsError(error: unknown, context: ErrorContext = {}): AssistantsError {
  if (error instanceof AssistantsError) {
    // Made from a server's words elsewhere (a stream's error event): mask those too.
    const message = redact(error.message, context);
    return message === error.message ? error : new AssistantsError(error.kind, message, error.options);
  }
  if (error instanceof APIUserAbortError || isAbortError(error)) {
    return new AssistantsError('cancelled', 'The request was cancelled.', { cause: error });
  }
  if (error instanceof APIConnectionTimeoutError) {
    return new AssistantsError('timeout', `The server at ${hostOf(context)} did not answer in time. Try again, or check the base URL setting.`, { cause: error });
  }
  if (error instanceof PageAnswerError || (error instanceof APIConnectionError && error.cause instanceof PageAnswerError)) {
    return notApiAnswer(context, error);
  }
  const redirect = error instanceof RedirectRefusedError ? error : error instanceof APIConnectionError && error.cause instanceof RedirectRefusedError ? error.cause : undefined;
  if (redirect) return redirectRefused(redirect, error);
  const oversized = error instanceof OversizedAnswerError ? error : error instanceof APIConnectionError && error.cause instanceof OversizedAnswerError ? error.cause : undefined;
  if (oversized) return oversizedAnswer(oversized, context, error);
  const broken = error instanceof BrokenAnswerError ? error : error instanceof APIConnectionError && error.cause instanceof BrokenAnswerError ? error.cause : undefined;
  if (broken) {
    // Retried like a dropped connection: the request was fine, the answer did not arrive whole.
    const what = broken.problem === 'empty' ? 'an empty body' : 'JSON that was cut off';
    return new AssistantsError('network', `The server at ${hostOf(context)} answered with ${what}. Check your network connection and proxy (http.proxy), then try again.`, { cause: error });
  }
  if (error instanceof APIConnectionError) {
    return new AssistantsError(
      'network',
      `Could not reach ${hostOf(context)}. Check your network connection, proxy (http.proxy) and the "assistants.baseUrl" setting.`,
      { cause: error },
    );
  }
  if (error instanceof APIError) {
    const detail = serverMessage(error, context);
    const permanent = fromCode(codesOf(error), detail, error.status, error);
    if (permanent) return permanent;
    // No status: the server sent an `error` event inside a stream (the SDK raises it as an APIError);
    // an object that vanished while the run went on is named there as in a 404, and fixed the same way.
    const missing = typeof error.status !== 'number' || error.status === 404 || error.status === 400 ? missingObject(detail) : undefined;
    if (missing) return vanished(missing, error.status, error);
    if (typeof error.status !== 'number') return fromStreamFrame(codesOf(error), detail, error);
    return fromStatus(error.status, detail, error.headers, error);
  }
  if (error instanceof SyntaxError) {
    return notApiAnswer(context, error);
  }
  if (isTransportFailure(error)) {
    return new AssistantsError('network', `The connection to ${hostOf(context)} failed: ${redact(error.message, context)}`, { cause: error });
  }
  // Reading an answer that lacks a field the API always sends (an id, a list, counts) ends in a
  // TypeError, or in the SDK refusing a request built on the missing id: the server's answer, not
  // the user's doing, and said as such rather than in JavaScript's words.
  if (error instanceof TypeError || (error instanceof Error && /^Path parameters result in path with invalid segments/.test(error.message))) {
    return answerLacks(context, 'a field the OpenAI API always sends', error);
  }
  const mapped = asAssistantsError(error);
  return new AssistantsError(mapped.kind, redact(mapped.message, context), mapped.options);
}

/**
 * Like `toAssistantsError`, for a request that asked to stream: a server that cannot stream says so
 * with 501/405 or a 400 that names the `stream` parameter; that becomes kind `unsupported` so the
 * driver falls back to polling.
 */
export function toStreamingError(error: unknown, context: ErrorContext = {}): AssistantsError {
  const mapped = toAssistantsError(error, context);
  if (mapped.kind === 'bad_request' && /stream/i.test(mapped.message)) {
    return new AssistantsError('unsupported', `The server cannot stream responses; polling instead. (${mapped.message})`, mapped.options);
  }
  return mapped;
}

/**
 * Whether the server streams, learned from its first refusal, so that a server that cannot is not
 * asked again on every run (the driver of each run starts out hoping it can).
 */
export class StreamSupport {
  private refused: AssistantsError | undefined;

  /** Throws the remembered refusal, before any request is made. */
  check(): void {
    if (this.refused) throw this.refused;
  }

  /** Remembers that the server answers whole, not streamed: the next runs are created and polled. */
  answeredWhole(): AssistantsError {
    this.refused = new AssistantsError('unsupported', 'The server answered without streaming; following the run by polling.');
    return this.refused;
  }

  /** Maps a failed streaming request, remembering a refusal. */
  failure(error: unknown, context: ErrorContext): AssistantsError {
    const mapped = toStreamingError(error, context);
    if (mapped.kind === 'unsupported') this.refused = mapped;
    return mapped;
  }
}

/**
 * Error codes (or types) that name a condition no retry can change, whatever HTTP status or stream
 * frame carried them: one request, then what the user can do about it. Codes as OpenAI documents
 * them (https://platform.openai.com/docs/guides/error-codes).
 */
const PERMANENT_CODES: Record<string, { kind: ErrorKind; sentence: string }> = {
  insufficient_quota: { kind: 'quota', sentence: 'The account behind this API key has no credits or quota left. Add credits or raise the limit in its billing settings, then send again.' },
  billing_hard_limit_reached: { kind: 'quota', sentence: "The account behind this API key reached its billing limit. Raise the limit in its billing settings, then send again." },
  billing_not_active: { kind: 'quota', sentence: "The account behind this API key has no active billing. Set up billing for it, then send again." },
  invalid_api_key: { kind: 'auth', sentence: 'The API key was rejected. Run "Assistants: Set API Key" to enter a valid key.' },
  model_not_found: { kind: 'not_found', sentence: 'The server does not offer this model to this key. Check the "assistants.model" setting (on Azure: your deployment name).' },
  context_length_exceeded: { kind: 'bad_request', sentence: 'This thread is now too long for the model. Start a new thread, or choose a model with a larger context window.' },
};

/** Codes a stream's error frame uses for a passing condition. */
const TRANSIENT_CODES: Record<string, ErrorKind> = {
  rate_limit_exceeded: 'rate_limited',
  server_error: 'server',
  internal_error: 'server',
  server_is_overloaded: 'server',
  overloaded_error: 'server',
};

function codesOf(error: APIError): string[] {
  const codes = [error.code, error.type];
  return codes.filter((code): code is string => typeof code === 'string' && code !== '');
}

function fromCode(codes: string[], detail: string, status: number | undefined, cause: unknown): AssistantsError | undefined {
  const known = codes.map((code) => PERMANENT_CODES[code]).find((entry) => entry !== undefined);
  if (!known) return undefined;
  const suffix = detail ? ` Server said: ${detail}` : '';
  return new AssistantsError(known.kind, `${known.sentence}${suffix}`, { ...(status !== undefined ? { status } : {}), cause });
}

/** An `error` event inside a stream: classified by its code, with the server's own words. */
function fromStreamFrame(codes: string[], detail: string, cause: unknown): AssistantsError {
  const kind = codes.map((code) => TRANSIENT_CODES[code]).find((entry) => entry !== undefined);
  const said = detail || 'no reason given';
  if (kind === 'rate_limited') return new AssistantsError(kind, `The server's rate limit was reached. Wait a minute, then send again. Server said: ${said}`, { cause });
  if (kind === 'server') return new AssistantsError(kind, `The server had an error while answering. Try again in a few minutes. Server said: ${said}`, { cause });
  return new AssistantsError('run_failed', `The server stopped the run with an error: ${said}`, { cause });
}

/** An answer past every bound of the API's own: not read on, and not asked again by itself (it would come the same). */
function oversizedAnswer(oversized: OversizedAnswerError, context: ErrorContext, cause: unknown): AssistantsError {
  const megabytes = `${Math.round(oversized.bytes / (1024 * 1024))} MB`;
  const what = oversized.limit === 'line' ? `a stream with a line longer than ${megabytes}` : oversized.limit === 'stream' ? `a stream longer than ${megabytes}` : `an answer larger than ${megabytes}`;
  return new AssistantsError('bad_response', `The server at ${hostOf(context)} sent ${what}, more than any answer of the API, so it was not read further. Check the "assistants.baseUrl" setting; if it is right, try again later.`, { cause });
}

/**
 * A failure of a poll of a run the server already answered for. A page that is not the API's JSON
 * in answer to it (a proxy's error or sign-in page in between, a body that is no object) is a passing
 * fault like a dropped connection, and retried as one (kind `network`, the same sentence); the
 * baseUrl was right a moment ago. Any other failure as it is.
 */
export function asPollFailure(failure: AssistantsError): AssistantsError {
  const cause: unknown = failure.options.cause;
  const page = cause instanceof PageAnswerError || cause instanceof SyntaxError || (cause instanceof APIConnectionError && cause.cause instanceof PageAnswerError);
  return failure.kind === 'bad_response' && page ? new AssistantsError('network', failure.message, failure.options) : failure;
}

/**
 * The server answered with JSON that lacks `what` (a run's id, say): kind `bad_response`, with a
 * sentence that names the host and what to check. Nothing built on such an answer can go on.
 */
export function answerLacks(context: ErrorContext, what: string, cause?: unknown): AssistantsError {
  return new AssistantsError(
    'bad_response',
    `The server at ${hostOf(context)} sent an answer without ${what}, so it could not be used. Check the "assistants.baseUrl" setting; if it is right, try again later.`,
    { cause },
  );
}

/** A body that is not the API's JSON: the request was answered, so this is no network failure. */
export function notApiAnswer(context: ErrorContext, cause?: unknown): AssistantsError {
  return new AssistantsError(
    'bad_response',
    `The server at ${hostOf(context)} answered with something that is not the OpenAI API's JSON (a web page or a proxy's answer?). Check the "assistants.baseUrl" setting.`,
    { cause },
  );
}

/**
 * How the service (and servers copying it) names an object it does not have, in a 404 (or, for a
 * file given as input, a 400). Each pattern captures the id.
 */
const MISSING_PATTERNS: Array<{ object: MissingObject['object']; pattern: RegExp }> = [
  { object: 'thread', pattern: /\bConversation with id '([^']+)' not found/i },
  { object: 'thread', pattern: /\bNo thread found with id '([^']+)'/i },
  { object: 'vector_store', pattern: /\bVector store with id '([^']+)' not found/i },
  { object: 'vector_store', pattern: /\bNo vector store found with id '([^']+)'/i },
  { object: 'file', pattern: /\bNo such File object: ([\w-]+)/i },
  { object: 'file', pattern: /\bno file with id '([^']+)'/i },
  { object: 'file', pattern: /\bFile with id '([^']+)' not found/i },
  { object: 'file', pattern: /\bNo file found with id '([^']+)'/i },
];

/**
 * Ids by their shape, for a refusal worded as none of `MISSING_PATTERNS` is (another server, a
 * proxy, a later wording): a conversation, v2 thread or response chain (`conv_`, `thread_`, the
 * `resp_` a continuation names), a vector store (`vs_`), a file (`file-`, `file_`, Azure's
 * `assistant-`).
 */
const ID_SHAPES: Array<{ object: MissingObject['object']; pattern: RegExp }> = [
  { object: 'vector_store', pattern: /\b(vs_[A-Za-z0-9]{4,})\b/ },
  { object: 'thread', pattern: /\b(conv_[A-Za-z0-9]{4,}|thread_[A-Za-z0-9]{4,})\b/ },
  { object: 'file', pattern: /\b((?:file-|file_|assistant-)[A-Za-z0-9]{4,})\b/ },
];

/** Words that say an object is gone: not found, does not exist, deleted, expired. */
const GONE = /\b(?:not found|not be found|does not exist|doesn't exist|no longer exists|(?:was|been|is) deleted|(?:is|has|was|been) expired|has expired|no such)\b/i;

/**
 * The object a server's refusal says it does not have, if it names one: by the service's own
 * wording, else the first id of a known shape in a refusal that says it is gone; a continuation
 * whose previous response is gone (`Previous response with id 'resp_…' not found`) is the thread's
 * chain gone, fixed as a vanished conversation is.
 */
export function missingObject(detail: string): MissingObject | undefined {
  for (const { object, pattern } of MISSING_PATTERNS) {
    const id = pattern.exec(detail)?.[1];
    if (id) return { object, id };
  }
  if (!GONE.test(detail)) return undefined;
  const previous = /\bprevious[ _]response(?:_id)?\b[^.]*?\b(resp_[A-Za-z0-9]{4,})\b/i.exec(detail)?.[1];
  if (previous) return { object: 'thread', id: previous };
  const found = ID_SHAPES.map(({ object, pattern }) => ({ object, match: pattern.exec(detail) })).filter((shape) => shape.match !== null);
  const first = found.sort((a, b) => (a.match?.index ?? 0) - (b.match?.index ?? 0))[0];
  return first?.match ? { object: first.object, id: first.match[1] } : undefined;
}

/** One sentence per vanished object, with the fix the UI offers beside it. */
function vanishedSentence(missing: MissingObject): string {
  return {
    thread: "The server no longer has this thread's conversation (it was deleted, or expired). Continue in a new thread: it keeps these messages, and your question stays in the composer.",
    vector_store: `The vector store ${missing.id} is no longer on the server (it was deleted, or expired). Remove it from the assistant: Remove from Assistant on its row in the Knowledge view.`,
    file: `The file ${missing.id} is no longer on the server (it was deleted, or expired). Re-upload it (attach it again), then send again.`,
  }[missing.object];
}

function vanished(missing: MissingObject, status: number | undefined, cause: unknown): AssistantsError {
  return new AssistantsError('not_found', vanishedSentence(missing), { ...(status !== undefined ? { status } : {}), cause, missing });
}

/**
 * A failed run's own error (Assistants v2 `last_error`, Responses `error`; polled or streamed) as
 * the chat shows it: one naming an object the server no longer has becomes the sentence of a
 * refusal naming it, code `not_found`, with the object (`missingObject`), so the chat offers the
 * same fix; any other is kept as the server said it.
 */
export function runErrorOf(code: string, message: string): RunError {
  const missing = missingObject(message);
  return missing ? { code: 'not_found', message: vanishedSentence(missing), missing } : { code, message };
}

/** A redirect not followed, as what happened and what to do; never retried (the server would say the same). */
function redirectRefused(refused: RedirectRefusedError, cause: unknown): AssistantsError {
  const from = new URL(refused.from).host;
  if (refused.reason === 'too_many') return new AssistantsError('bad_response', `The server at ${from} redirected the request more than ${MAX_REDIRECTS} times. Check the "assistants.baseUrl" setting.`, { cause });
  if (refused.reason === 'not_a_server') return new AssistantsError('bad_response', `The server at ${from} redirected the request to a ${refused.to} URL, which names no server, so it was not followed. Check the "assistants.baseUrl" setting.`, { cause });
  if (refused.reason === 'unrepeatable_body') return new AssistantsError('bad_response', `The server at ${from} redirected a request whose content cannot be sent twice. Check the "assistants.baseUrl" setting (it may lack a path the server adds).`, { cause });
  return new AssistantsError(
    'bad_response',
    `The server at ${from} redirected the request to ${refused.to}. The API key and your data go only to the configured server, so the request was not sent there; if ${refused.to} is the right server, set "assistants.baseUrl" to it.`,
    { cause },
  );
}

function fromStatus(status: number, detail: string, headers: Headers | undefined, cause: unknown): AssistantsError {
  const suffix = detail ? ` Server said: ${detail}` : '';
  if (status === 401) {
    return new AssistantsError('auth', `The API key was rejected. Run "Assistants: Set API Key" to enter a valid key.${suffix}`, { status, cause });
  }
  if (status === 403) {
    return new AssistantsError('permission', `The API key is not allowed to do this (check the project and organization settings).${suffix}`, { status, cause });
  }
  if (status === 404) {
    return new AssistantsError('not_found', `The server does not know this object or endpoint; it may have been deleted, or the base URL may be wrong.${suffix}`, { status, cause });
  }
  if (status === 429) {
    const retryAfterMs = parseRetryAfter(headers);
    // The retry, if any, is announced by the driver as it happens; this sentence must stay true when none follows.
    const wait = retryAfterMs !== undefined && retryAfterMs > 60_000 ? `, and it asks to wait ${formatWait(retryAfterMs)}. Send again after that.` : '. Wait a minute, then send again.';
    return new AssistantsError('rate_limited', `The server's rate limit was reached${wait}${suffix}`, { status, cause, ...(retryAfterMs !== undefined ? { retryAfterMs } : {}) });
  }
  if (status === 405 || status === 501) {
    return new AssistantsError('unsupported', `The server does not support this operation.${suffix}`, { status, cause });
  }
  if (status === 408) {
    return new AssistantsError('timeout', `The server timed out handling the request. Try again.${suffix}`, { status, cause });
  }
  if (status >= 500) {
    // A 503 for maintenance may say when to come back, as a 429 does.
    const retryAfterMs = parseRetryAfter(headers);
    const wait = retryAfterMs !== undefined && retryAfterMs > 60_000 ? `, and it asks to wait ${formatWait(retryAfterMs)}. Send again after that.` : '. Try again in a few minutes.';
    return new AssistantsError('server', `The server had an error (HTTP ${status})${wait}${suffix}`, { status, cause, ...(retryAfterMs !== undefined ? { retryAfterMs } : {}) });
  }
  return new AssistantsError('bad_request', `The server rejected the request (HTTP ${status}).${suffix}`, { status, cause });
}

/** A server-told wait in words: "2 min", "1 h 5 min", "3 days". */
function formatWait(ms: number): string {
  const minutes = Math.ceil(ms / 60_000);
  if (minutes < 60) return `${minutes} min`;
  const hours = Math.floor(minutes / 60);
  if (hours < 48) return minutes % 60 ? `${hours} h ${minutes % 60} min` : `${hours} h`;
  const days = Math.round(hours / 24);
  return days < 365 ? `${days} days` : 'more than a year';
}

/**
 * The wait a server asks for, in ms: `retry-after-ms` (OpenAI's precise header) wins over
 * `retry-after` (seconds or an HTTP date). A header sent twice (joined as "30, 30") counts once.
 * Undefined when there is none, it is no number or date, or it asks for no wait at all (0, a
 * negative number, a date already past): the retry then waits its own backoff rather than
 * re-sending at once, again and again.
 */
export function parseRetryAfter(headers: Headers | undefined, now: number = Date.now()): number | undefined {
  if (!headers) {
    return undefined;
  }
  const ms = firstNumber(headers.get('retry-after-ms'));
  if (ms !== undefined) {
    return ms > 0 ? ms : undefined;
  }
  const value = headers.get('retry-after');
  if (value === null || value.trim() === '') {
    return undefined;
  }
  const seconds = firstNumber(value);
  if (seconds !== undefined) {
    return seconds > 0 ? seconds * 1000 : undefined;
  }
  // An HTTP date ("Wed, 21 Oct 2026 07:28:00 GMT"); not a bare number, which Date.parse reads as a year.
  if (!/[a-z]/i.test(value)) return undefined;
  const date = Date.parse(value);
  return Number.isNaN(date) || date <= now ? undefined : date - now;
}

/** The number a header value starts with, alone or first of a list ("30" or "30, 30"); undefined for anything else. */
function firstNumber(value: string | null): number | undefined {
  const first = value?.split(',')[0].trim();
  if (!first || !/^[-+]?(\d+\.?\d*|\.\d+)(e[-+]?\d+)?$/i.test(first)) return undefined;
  const number = Number(first);
  return Number.isFinite(number) ? number : undefined;
}

function serverMessage(error: APIError, context: ErrorContext): string {
  const body = error.error;
  if (body && typeof body === 'object' && 'message' in body && typeof body.message === 'string') {
    return shortened(redact(body.message, context));
  }
  return '';
}

/** Characters of a server's own words kept in a sentence of ours; an error page can be megabytes. */
export const MAX_SERVER_WORDS = 1_000;

/**
 * Server words as a sentence of ours quotes them: cut at {@link MAX_SERVER_WORDS} characters (saying
 * how many more there were), and with control and text-direction characters shown as spaces, so a
 * message cannot break into lines or reverse the text of the sentence around it. Mask first:
 * a cut never leaves more of the key than masking would.
 */
export function shortened(text: string): string {
  const cut = text.length > MAX_SERVER_WORDS ? `${text.slice(0, MAX_SERVER_WORDS)}… (${text.length - MAX_SERVER_WORDS} more characters)` : text;
  return oneLine(cut);
}

/**
 * The shortest piece of the key that is masked on its own: a server or a model may quote the key
 * without its `sk-` (or `sk-proj-`) prefix, or only part of it, and any 8 characters of a random
 * key in a row are as good as naming it.
 */
export const MIN_KEY_PIECE = 8;

/**
 * Servers sometimes echo part of the key back ("Incorrect API key provided: sk-..."); never pass
 * that on. Masks, as `***`, every run of {@link MIN_KEY_PIECE} or more characters that appears in
 * the key as it may be written (see `keyForms`: as typed, in one case, URL-encoded, JSON-escaped,
 * in base64; whole, without its prefix, its start or its end; when it is 8 characters or
 * more) unless the run is only words, and words shaped like OpenAI keys.
 */
export function redact(text: string, context: ErrorContext = {}): string {
  const key = context.apiKey && context.apiKey.length >= MIN_KEY_PIECE ? context.apiKey : undefined;
  let masked = text;
  if (key) {
    // Joined once: a text that echoes the key thousands of times is still masked in linear time.
    const pieces: string[] = [];
    let from = 0;
    for (const run of keyPieces(text, key)) {
      pieces.push(text.slice(from, run.start), '***');
      from = run.end;
    }
    pieces.push(text.slice(from));
    masked = pieces.join('');
  }
  return masked.replace(/\b(sk-|sess-)[A-Za-z0-9_*-]{4,}/g, '$1***');
}

/** Words (lower case, upper case or capitalized) joined by `-`, `_` or `.`: a piece of a key shaped so is not masked alone. */
const WORDS = /^(?:[a-z]+|[A-Z]+|[A-Z][a-z]+)(?:[-_.](?:[a-z]+|[A-Z]+|[A-Z][a-z]+))*$/;

/**
 * The ways a server, a proxy or a log may write the key, each masked as the key is: as typed; in
 * lower and in upper case (a hex key echoed in capitals); URL-encoded (in a query it quotes), with
 * either case of hex digits; with `/` escaped as JSON may write it; and in base64 and base64url,
 * as a `Basic` header or a token holding it is (an encoded text can hold the key at any byte: each
 * of the three alignments is given, without the characters at either end that depend on what
 * surrounds the key). Distinct, none shorter than {@link MIN_KEY_PIECE}.
 */
export function keyForms(key: string): string[] {
  const encoded = encodeURIComponent(key);
  const forms = [key, key.toLowerCase(), key.toUpperCase(), encoded, encoded.replace(/%[0-9A-F]{2}/g, (hex) => hex.toLowerCase()), key.replace(/\//g, '\\/')];
  const bytes = Buffer.from(key, 'utf8');
  for (let pad = 0; pad < 3; pad++) {
    // Character i of the encoding holds bits 6i..6i+5: it is the key's alone from the first past the padding to the last within the key.
    const total = (pad + bytes.length) * 8;
    const padded = Buffer.concat([Buffer.alloc(pad), bytes]);
    for (const encoding of ['base64', 'base64url'] as const) forms.push(padded.toString(encoding).slice(Math.ceil((pad * 8) / 6), Math.floor(total / 6)));
  }
  return [...new Set(forms)].filter((form) => form.length >= MIN_KEY_PIECE);
}

/**
 * The runs of `text` that appear in one of the key's forms (`keyForms`) and are
 * {@link MIN_KEY_PIECE} characters or longer, left to right, each as long as it goes (`end`
 * exclusive), except runs that are only words (see `WORDS`) short of a whole form. Linear in the
 * text for a given key.
 */
export function keyPieces(text: string, key: string): Array<{ start: number; end: number }> {
  const runs: Array<{ start: number; end: number }> = [];
  if (key.length < MIN_KEY_PIECE || text.length < MIN_KEY_PIECE) return runs;
  const { forms, probes, pieces } = gramsOf(key);
  const inForm = (piece: string) => forms.some((form) => form.includes(piece));
  // Any run of MIN_KEY_PIECE holds a PROBE-long window starting at a multiple of PROBE: only those
  // are looked up, and only a hit is looked at closely (a text rarely shares one with a random key).
  let next = 0;
  for (let probe = 0; probe + PROBE <= text.length; probe += PROBE) {
    if (!probes.has(windowHash(text, probe))) continue;
    for (let start = Math.max(next, probe - (MIN_KEY_PIECE - PROBE)); start <= probe && start + MIN_KEY_PIECE <= text.length; start++) {
      if (!pieces.has(text.slice(start, start + MIN_KEY_PIECE))) continue;
      let end = start + MIN_KEY_PIECE;
      while (end < text.length && inForm(text.slice(start, end + 1))) end++;
      // Words a key is made of ("integration-test-key") are left in ordinary text; a random key's pieces are almost never words.
      if (forms.includes(text.slice(start, end)) || !WORDS.test(text.slice(start, end))) runs.push({ start, end });
      next = end;
      probe = Math.max(probe, end - (end % PROBE) - PROBE);
      break;
    }
  }
  return runs;
}

/** The length of the windows looked up first (see `keyPieces`); MIN_KEY_PIECE must be at least twice it. */
const PROBE = 4;
let grams: { key: string; forms: string[]; probes: Set<number>; pieces: Set<string> } | undefined;

/** The key's forms, their PROBE-long windows (hashed) and MIN_KEY_PIECE-long ones, kept for the last key asked about (there is one key at a time). */
function gramsOf(key: string): { forms: string[]; probes: Set<number>; pieces: Set<string> } {
  if (grams?.key !== key) {
    const forms = keyForms(key);
    const windows = (length: number) => forms.flatMap((form) => Array.from({ length: form.length - length + 1 }, (_, i) => form.slice(i, i + length)));
    grams = { key, forms, probes: new Set(windows(PROBE).map((window) => windowHash(window, 0))), pieces: new Set(windows(MIN_KEY_PIECE)) };
  }
  return grams;
}

/** A 32-bit hash of the PROBE characters of `text` from `at`: no string is made for a window that is not looked at closely. */
function windowHash(text: string, at: number): number {
  let hash = 0;
  for (let i = at; i < at + PROBE; i++) hash = (Math.imul(hash, 31) + text.charCodeAt(i)) | 0;
  return hash;
}

/** The length of the longest end of `text` that appears somewhere in one of the key's forms (a piece of it may follow). */
export function keyPieceAtEnd(text: string, key: string): number {
  const { forms } = gramsOf(key);
  let length = 0;
  while (length < text.length && forms.some((form) => form.length > length && form.includes(text.slice(text.length - length - 1)))) length++;
  return length;
}

/**
 * The one boundary where server text enters the domain: every string of a run event or snapshot a
 * backend hands up (run and step errors, incomplete details, tool outputs, answers) with the key
 * masked, because proxies quote the `Authorization` header back in error messages. Returns a copy.
 */
export function redactServerText<T>(value: T, context: ErrorContext): T {
  return redactValue(value, context) as T;
}

function redactValue(value: unknown, context: ErrorContext): unknown {
  if (typeof value === 'string') return redact(value, context);
  if (Array.isArray(value)) return value.map((item) => redactValue(item, context));
  if (value !== null && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value).map(([key, item]) => [key, redactValue(item, context)]));
  }
  return value;
}

/** The server's host (and port) for sentences ("Could not reach <host>"); "the server" when unknown. */
export function hostOf(context: ErrorContext): string {
  if (!context.baseUrl) {
    return 'the server';
  }
  try {
    return new URL(context.baseUrl).host;
  } catch {
    return 'the server';
  }
}

/**
 * A socket or fetch failure that reached us outside the SDK's own connection errors: a stream read
 * that broke mid-body (undici's `TypeError: terminated`, `fetch failed`) or a Node socket error code.
 */
function isTransportFailure(error: unknown): error is Error {
  if (!(error instanceof Error)) return false;
  const code = (error as Error & { code?: unknown }).code ?? (error.cause as { code?: unknown } | undefined)?.code;
  if (typeof code === 'string' && /^(ECONN|EPIPE|ETIMEDOUT|ENOTFOUND|EAI_|UND_ERR_)/.test(code)) return true;
  return error instanceof TypeError && /terminated|fetch failed|network|socket/i.test(error.message);
}

function isAbortError(error: unknown): boolean {
  return error instanceof Error && error.name === 'AbortError';
}
