/**
 * Loaded first in every tier process (`mocha --require`, the integration tier's entry): SIGTERM and
 * SIGHUP end the process through `process.exit`, so its 'exit' listeners run and close what it
 * started in other process groups (code-server, see codeServer.ts; Chromium, Playwright's own). A
 * plain signal death would skip them, and an installed handler that does not exit would keep a
 * hanging tier alive.
 */
import * as os from 'node:os';

for (const signal of ['SIGTERM', 'SIGHUP'] as const) {
  process.on(signal, () => process.exit(128 + os.constants.signals[signal]));
}
