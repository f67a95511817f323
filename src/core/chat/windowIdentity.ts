import { randomUUID } from 'node:crypto';
import { processAlive } from '../workspace/fileSystem';

/** A window among those that share a thread store, as `ChatSessionOptions.window` takes it. */
export interface WindowIdentity {
  /** `<pid>:<random>`: the extension host's process id, and a word of its own (a process id may be used again). */
  id: string;
  /** Whether the window of `id` is still open: its extension host process runs (this window's own id always is). */
  alive(id: string): boolean;
}

/**
 * This extension host as a window: every window (and every reload of one) has an extension host
 * process of its own, on the machine that keeps the thread store, so a window whose process is
 * gone is closed (or reloaded).
 */
export function processWindow(): WindowIdentity {
  const id = `${process.pid}:${randomUUID()}`;
  return {
    id,
    alive: (other) => {
      if (other === id) return true;
      const pid = Number(other.split(':')[0]);
      return Number.isSafeInteger(pid) && pid > 0 && processAlive(pid);
    },
  };
}
