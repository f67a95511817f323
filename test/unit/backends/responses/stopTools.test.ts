import * as assert from 'node:assert/strict';
import type { ToolHandler } from '../../../../src/core/toolHandler';
import { startHarness } from './harness';
import type { Harness } from './harness';

const lookup = { type: 'function' as const, function: { name: 'read_file', parameters: { type: 'object', properties: { path: { type: 'string' } } } } };

/** A handler that never answers and ignores its signal, like a read of a named pipe. */
function hanging(entered: () => void): ToolHandler {
  return { handle: () => (entered(), new Promise(() => undefined)) };
}

describe('Stop always stops (Responses)', () => {
  let h: Harness;
  afterEach(async () => {
    await h?.close();
  });

  it('ends the run within 2 s of Stop while a tool never returns, and submits nothing', async () => {
    let enter: () => void = () => undefined;
    const entered = new Promise<void>((resolve) => (enter = resolve));
    h = await startHarness({ driver: { toolHandler: hanging(() => enter()) }, assistant: { tools: [lookup] } });
    h.fake.model.enqueue({ steps: [{ type: 'function_call', name: 'read_file', arguments: { path: 'fifo' } }] });
    const stop = new AbortController();
    const result = h.driver.run(await h.startWith('Read the pipe'), h.onEvent, stop.signal);
    await entered;
    const stoppedAt = Date.now();
    stop.abort();
    const snapshot = await result;
    const took = Date.now() - stoppedAt;
    assert.ok(took < 2000, `Stop took ${took} ms`);
    assert.equal(snapshot.run.status, 'cancelled');
    assert.equal(h.requests('POST', '/responses').length, 1, 'no tool outputs were submitted');
  });

  it('gives a tool its time limit, then tells the model it did not finish', async () => {
    let signalled: AbortSignal | undefined;
    const slow: ToolHandler = { handle: (_calls, { signal }) => ((signalled = signal), new Promise(() => undefined)) };
    h = await startHarness({ driver: { toolHandler: slow, toolTimeoutMs: 200 }, assistant: { tools: [lookup] } });
    h.fake.model.enqueue({ steps: [{ type: 'function_call', name: 'read_file', arguments: { path: 'fifo' } }] }, { steps: [{ type: 'text', text: 'It timed out.' }] });
    const snapshot = await h.driver.run(await h.startWith('Read the pipe'), h.onEvent);
    assert.equal(snapshot.run.status, 'completed');
    assert.equal(signalled?.aborted, true, 'the handler was told to stop');
    const submitted = JSON.stringify(h.requests('POST', '/responses')[1]?.body);
    assert.match(submitted, /did not finish within \d+ s and was stopped/);
  });

  it('keeps error outputs short and free of absolute local paths', async () => {
    const failing: ToolHandler = {
      handle: async () => {
        throw new Error("EISDIR: illegal operation on a directory, read '/home/alice/project/src'\n    at stack line");
      },
    };
    h = await startHarness({ driver: { toolHandler: failing }, assistant: { tools: [lookup] } });
    h.fake.model.enqueue({ steps: [{ type: 'function_call', name: 'read_file', arguments: { path: 'src' } }] }, { steps: [{ type: 'text', text: 'Noted.' }] });
    await h.driver.run(await h.startWith('Read src'), h.onEvent);
    const submitted = JSON.stringify(h.requests('POST', '/responses')[1]?.body);
    assert.match(submitted, /EISDIR: illegal operation on a directory, read 'src'/);
    assert.doesNotMatch(submitted, /home\/alice|stack line/);
  });
});
