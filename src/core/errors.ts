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
  /** Out of credits or quota, or billing not set up: no retry can help until the account changes. */
  | 'quota'
  | 'bad_request'
  | 'server'
  /** The server answered, but not in the API's shape (an HTML page, broken JSON): a proxy or a wrong base URL. */
  | 'bad_response'
  | 'network'
  | 'timeout'
  | 'cancelled'
  | 'unsupported'
  | 'run_failed'
  /** Someone else changed the same thing meanwhile, differently: nothing was written (see `AssistantConflictError`). */
  | 'conflict'
  /** A file could not be written or read here (disk full, read-only, permission denied). */
  | 'file_system'
  /** A failure no layer recognised (a bug, or a value thrown by a library); the log has the rest. */
  | 'unexpected';

import type { MissingObject } from '../common/model';

export type { MissingObject };

export class AssistantsError extends Error {
  constructor(
    readonly kind: ErrorKind,
    message: string,
    readonly options: { status?: number; retryAfterMs?: number; cause?: unknown; missing?: MissingObject } = {},
  ) {
    super(message);
    this.name = 'AssistantsError';
  }
}

/**
 * An update of an assistant met a change made meanwhile (another window, a hand edit, a second
 * command) to the same fields: nothing was written. It carries both versions, for a diff and an
 * overwrite.
 */
export class AssistantConflictError extends AssistantsError {
  constructor(
    /** The fields both sides changed (see `mergeAssistantFiles`). */
    readonly fields: string[],
    /** The text the store holds now. */
    readonly current: string,
    /** The text the update would have written (this side's values for the conflicting fields). */
    readonly proposed: string,
    /** The assistant's id, and its file when a file keeps it. */
    readonly where: { assistantId: string; file?: string },
  ) {
    super(
      'conflict',
      fields.length > 0
        ? `The assistant was changed elsewhere meanwhile (${fields.join(', ')}), so this change was not saved. Compare the two, or overwrite with this one.`
        : 'The assistant\'s file was changed elsewhere meanwhile and is not valid now, so this change was not saved. Fix the file, or overwrite it with this change.',
    );
  }
}

/**
 * What an unexpected failure's sentence ends with: where VS Code keeps the rest. Where there is no
 * such command (the `test-assistants` CLI) it is left out.
 */
export const SHOW_LOG_POINTER = ' "Assistants: Show Log" has the details.';

/**
 * The one way an unknown thrown value becomes an AssistantsError, used by every layer that catches
 * what it did not throw: an AssistantsError passes through unchanged; an abort (`AbortError`)
 * becomes `cancelled`; anything else becomes `unexpected` with the thrown message, the original
 * kept as `options.cause` for the log. Backends first map the SDK's own errors (HTTP status, code,
 * connection) and hand only what remains to this function.
 */
export function asAssistantsError(error: unknown): AssistantsError {
  if (error instanceof AssistantsError) return error;
  if (error instanceof Error && error.name === 'AbortError') {
    return new AssistantsError('cancelled', 'The request was cancelled.', { cause: error });
  }
  const detail = error instanceof Error ? error.message : String(error);
  const fileSystem = fileSystemSentence(error, detail);
  if (fileSystem) return new AssistantsError('file_system', fileSystem, { cause: error });
  return new AssistantsError('unexpected', `Something unexpected went wrong: ${detail.replace(/\.+$/, '')}.${SHOW_LOG_POINTER}`, { cause: error });
}

/**
 * File-system failures by Node's error code (`ENOSPC`, `EROFS`, ...: the `code` of a Node error, or
 * named in the message of VS Code's `FileSystemError`), as sentences saying what to do, without the
 * local path the original message holds (the log keeps it).
 */
const FILE_SYSTEM_SENTENCES: Record<string, string> = {
  ENOSPC: 'The disk is full, so a file could not be written. Free some space, then try again.',
  EDQUOT: 'The disk quota is used up, so a file could not be written. Free some space, then try again.',
  EROFS: 'The file system is read-only, so a file could not be written there. Choose another place, then try again.',
  EACCES: 'Permission denied: a file or folder could not be read or written. Check its permissions, then try again.',
  EPERM: 'Permission denied: a file or folder could not be read or written. Check its permissions, then try again.',
};

function fileSystemSentence(error: unknown, detail: string): string | undefined {
  const code = typeof error === 'object' && error !== null ? (error as { code?: unknown }).code : undefined;
  if (typeof code === 'string' && code in FILE_SYSTEM_SENTENCES) return FILE_SYSTEM_SENTENCES[code];
  const named = /\b(ENOSPC|EDQUOT|EROFS|EACCES|EPERM)\b/.exec(detail)?.[1];
  return named ? FILE_SYSTEM_SENTENCES[named] : undefined;
}
