/**
 * The shapes the hostile-input bench (hostile.ts) and its kinds of input (hostileServer.ts,
 * lostWrites.ts) share: a kind of input, an input, the scene it runs in and what it did.
 */
import type { FunctionFixture } from '../test/unit/core/functions/fixture';

/** What one input did, as its `run` saw it; the harness adds the time it took and the loop's blockage. */
export interface Seen {
  escaped?: boolean;
  lostWrites?: number;
  broken?: boolean;
  /** Milliseconds the call took past the moment it should have answered by (e.g. after Stop). */
  lateMs?: number;
  note?: string;
}

/** A workspace with a secret in it and a folder outside it, for one input. */
export interface Scene {
  ws: FunctionFixture;
  outside: string;
  /** Names and contents of everything outside, to see whether a write landed there. */
  outsideSnapshot(): string;
}

export interface Input {
  label: string;
  run(scene: Scene): Promise<Seen>;
  /** How long the harness waits for `run` before counting a hang (default 15 s): for an input that prepares a lot, or is due late. */
  giveUpMs?: number;
}

export interface Kind {
  name: string;
  inputs: Input[];
}
