/**
 * Every failure the user can see ends as an AssistantsError: a kind the UI can branch on and a
 * sentence the user can act on. Raw SDK errors and stack traces stay in the output channel.
 */
export type ErrorKind =
  | 'no_api_key'
  | 'auth'
  | 'permission'
  | 'not_found'
  | 'rate_limited'
  | 'bad_request'
  | 'server'
  | 'network'
  | 'timeout'
  | 'cancelled'
  | 'unsupported'
  | 'run_failed';

export class AssistantsError extends Error {
  constructor(
    readonly kind: ErrorKind,
    message: string,
    readonly options: { status?: number; retryAfterMs?: number; cause?: unknown } = {},
  ) {
    super(message);
    this.name = 'AssistantsError';
  }
}
