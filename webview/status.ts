/** Words for the status line. Pure, so the wording is tested without a browser. */
import type { Run, RunStatus, Usage } from '../src/core/model';
import type { RunNotices } from './state';

const STATUS_LABELS: Record<RunStatus, string> = {
  queued: 'Queued',
  in_progress: 'In progress',
  requires_action: 'Requires action',
  cancelling: 'Cancelling',
  cancelled: 'Cancelled',
  failed: 'Failed',
  completed: 'Completed',
  incomplete: 'Incomplete',
  expired: 'Expired',
};

export function statusLabel(status: RunStatus): string {
  return STATUS_LABELS[status];
}

/** Whether the run may still change, so the clock keeps ticking. */
export function isLive(status: RunStatus): boolean {
  return status === 'queued' || status === 'in_progress' || status === 'requires_action' || status === 'cancelling';
}

/** Whether the run still moves: live by its status, and not given up on by the host. */
export function isRunning(run: Run, notices: RunNotices | undefined): boolean {
  return isLive(run.status) && notices?.endedAt === undefined;
}

/** Seconds the run has taken so far (or took), from its start, else its creation. */
export function elapsedSeconds(run: Run, nowMs: number): number {
  const start = run.startedAt ?? run.createdAt;
  const end = isLive(run.status) ? nowMs / 1000 : (run.completedAt ?? nowMs / 1000);
  return Math.max(0, Math.floor(end - start));
}

export function formatDuration(seconds: number): string {
  if (seconds < 60) return `${seconds} s`;
  const minutes = Math.floor(seconds / 60);
  const rest = seconds % 60;
  if (minutes < 60) return rest ? `${minutes} min ${rest} s` : `${minutes} min`;
  const hours = Math.floor(minutes / 60);
  return `${hours} h ${minutes % 60} min`;
}

export function formatUsage(usage: Usage): string {
  const n = (value: number): string => value.toLocaleString('en-US');
  return `${n(usage.promptTokens)} prompt · ${n(usage.completionTokens)} completion · ${n(usage.totalTokens)} total tokens`;
}

/** "Rate limited, retrying in 3 s"; never negative, never below one second while pending. */
export function retryText(retry: NonNullable<RunNotices['retry']>, nowMs: number): string {
  const seconds = Math.max(1, Math.ceil((retry.until - nowMs) / 1000));
  const reason = retry.reason.trim() || 'Request failed';
  const sentence = reason.charAt(0).toUpperCase() + reason.slice(1).replace(/[.\s]+$/, '');
  const attempt = retry.attempt > 1 ? ` (attempt ${retry.attempt})` : '';
  return `${sentence}, retrying in ${seconds} s${attempt}`;
}

export const FALLBACK_TEXT = 'Streaming unavailable, polling';

/** Server error messages become one readable sentence; a stack trace never reaches the chat. */
export function errorSentence(message: string): string {
  const firstLine = message.split('\n')[0].trim();
  if (!firstLine) return 'The run failed.';
  return /[.!?]$/.test(firstLine) ? firstLine : `${firstLine}.`;
}
