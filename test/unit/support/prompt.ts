import * as assert from 'node:assert/strict';

/**
 * A clock for "answers promptly" checks of hostile input (a regex, a glob, a schema that could make
 * work explode): not a speed target (those are in bench/), only the line between bounded and hung.
 * It reads this process's CPU time beside the wall clock, so a busy machine, which stretches the wall
 * clock alone, does not pass for a hang, while waiting on something (a pipe, a timer) still does.
 */
export interface PromptClock {
  /** `performance.now()` at the start, in ms. */
  wallMs: number;
  /** `process.cpuUsage()` at the start (user and system, in µs). */
  cpu: NodeJS.CpuUsage;
}

/** Starts a clock for `assertPrompt`. */
export function startClock(): PromptClock {
  return { wallMs: performance.now(), cpu: process.cpuUsage() };
}

/**
 * Fails naming `what` when, since `clock` started, this process spent `limitMs` or more of CPU time
 * (work that blows up), or five times that on the wall clock (a wait that never ends, or work
 * starved past any load a test machine sees). `limitMs` defaults to 2,000.
 */
export function assertPrompt(what: string, clock: PromptClock, limitMs = 2_000): void {
  const wallMs = performance.now() - clock.wallMs;
  const used = process.cpuUsage(clock.cpu);
  const cpuMs = (used.user + used.system) / 1_000;
  assert.ok(cpuMs < limitMs && wallMs < limitMs * 5, `${what} took ${Math.round(wallMs)} ms (${Math.round(cpuMs)} ms of CPU)`);
}
