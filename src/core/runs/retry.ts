import { AssistantsError } from '../errors';
import type { ErrorKind } from '../errors';
import { abortableSleep } from './sleep';
import type { Sleep } from './sleep';

export interface RetryInfo {
  /** 1 for the first retry. */
  attempt: number;
  waitMs: number;
  /** What failed, in the first sentence of its message: the rest says what to do should retrying fail. */
  reason: string;
}

export interface RetryOptions {
  maxRetries?: number;
  baseDelayMs?: number;
  maxDelayMs?: number;
  signal?: AbortSignal;
  sleep?: Sleep;
  /** Called before each wait, so the driver can show "retrying in N s". */
  onRetry?: (info: RetryInfo) => void;
  /** Source of jitter in [0, 1); injectable for tests. */
  random?: () => number;
}

export const DEFAULT_RETRY = { maxRetries: 4, baseDelayMs: 500, maxDelayMs: 20_000 } as const;

/**
 * The longest server-told wait (`Retry-After`) that is waited out before asking again; the user sees
 * until when, with Retry now and Stop. A longer one is not waited for: the failure says how long.
 */
export const MAX_TOLD_WAIT_MS = 24 * 60 * 60 * 1000;

const RETRYABLE: readonly ErrorKind[] = ['rate_limited', 'server', 'network', 'timeout'];

export function isRetryable(error: unknown): error is AssistantsError {
  return error instanceof AssistantsError && RETRYABLE.includes(error.kind);
}

/**
 * Runs `fn`, retrying transient failures (429, 5xx, network) a bounded number of times. A 429 with
 * a server-given wait waits exactly that, however long (never asking again before the server said
 * it would answer), unless it is longer than MAX_TOLD_WAIT_MS: then the failure is rethrown at once.
 * Otherwise full-jitter exponential backoff up to `maxDelayMs`. Anything else is rethrown unchanged;
 * the last failure of a series says the retries gave up.
 */
export async function withRetry<T>(fn: () => Promise<T>, options: RetryOptions = {}): Promise<T> {
  const maxRetries = options.maxRetries ?? DEFAULT_RETRY.maxRetries;
  const baseDelayMs = options.baseDelayMs ?? DEFAULT_RETRY.baseDelayMs;
  const maxDelayMs = options.maxDelayMs ?? DEFAULT_RETRY.maxDelayMs;
  const sleep = options.sleep ?? abortableSleep;
  const random = options.random ?? Math.random;
  for (let attempt = 1; ; attempt++) {
    try {
      return await fn();
    } catch (error) {
      if (!isRetryable(error) || options.signal?.aborted) {
        throw error;
      }
      if (attempt > maxRetries) {
        throw attempt > 1 ? gaveUp(error, attempt) : error;
      }
      if ((error.options.retryAfterMs ?? 0) > MAX_TOLD_WAIT_MS) throw error;
      const waitMs = delayFor(error, attempt, baseDelayMs, maxDelayMs, random);
      options.onRetry?.({ attempt, waitMs, reason: firstSentence(error.message) });
      await sleep(waitMs, options.signal);
    }
  }
}

function firstSentence(message: string): string {
  const match = /^.*?[.!?](?=\s|$)/.exec(message);
  return match ? match[0] : message;
}

/** The last failure, saying that the retries announced before it are over. */
function gaveUp(error: AssistantsError, attempts: number): AssistantsError {
  return new AssistantsError(error.kind, `Gave up after ${attempts} attempts. ${error.message}`, { ...error.options, cause: error });
}

function delayFor(error: AssistantsError, attempt: number, baseDelayMs: number, maxDelayMs: number, random: () => number): number {
  const told = error.options.retryAfterMs;
  if (told !== undefined) {
    return told;
  }
  const ceiling = Math.min(maxDelayMs, baseDelayMs * 2 ** (attempt - 1));
  // Half fixed, half random: spreads clients apart without ever retrying instantly.
  return Math.round(ceiling / 2 + random() * (ceiling / 2));
}
