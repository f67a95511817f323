import * as assert from 'node:assert/strict';
import type { Response, ResponseCodeInterpreterToolCall } from 'openai/resources/responses/responses';
import { toSnapshot } from '../../../../src/backends/responses/mapping';
import type { CodeInterpreterOutput } from '../../../../src/common/model';
import { pngChart } from '../../../fakes/png';

function outputsOf(outputs: ResponseCodeInterpreterToolCall['outputs']): CodeInterpreterOutput[] {
  const call: ResponseCodeInterpreterToolCall = { id: 'ci_1', type: 'code_interpreter_call', status: 'completed', container_id: 'cntr_1', code: 'plot()', outputs };
  const wire: Partial<Response> = { id: 'resp_1', object: 'response', created_at: 1, status: 'completed', model: 'gpt-test', output: [call], metadata: {} };
  const snapshot = toSnapshot(wire as Response, { ref: { threadId: 't', runId: 'resp_1' }, assistantId: 'asst' });
  const details = snapshot.steps[0]?.details;
  assert.ok(details?.type === 'tool_calls');
  const mapped = details.toolCalls[0];
  assert.ok(mapped?.type === 'code_interpreter');
  assert.equal(mapped.containerId, 'cntr_1');
  return mapped.outputs;
}

describe('Responses code-interpreter image outputs', () => {
  it('keeps an image sent as a data URL, under a key that names no file', () => {
    const url = `data:image/png;base64,${pngChart().toString('base64')}`;
    const outputs = outputsOf([
      { type: 'logs', logs: '16' },
      { type: 'image', url },
    ]);
    assert.deepEqual(outputs, [
      { type: 'logs', logs: '16' },
      { type: 'image', fileId: 'inline-1', url },
    ]);
  });

  it('turns a URL naming a container file into a file to download, without the URL', () => {
    const outputs = outputsOf([{ type: 'image', url: 'https://api.example.com/v1/containers/cntr_9/files/cfile_42/content' }]);
    assert.deepEqual(outputs, [{ type: 'image', fileId: 'cfile_42', containerId: 'cntr_9' }]);
  });

  it('keeps any other URL as sent, for the chat to show as a link it does not load', () => {
    const outputs = outputsOf([{ type: 'image', url: 'https://cdn.example.com/chart.png' }]);
    assert.deepEqual(outputs, [{ type: 'image', fileId: 'inline-0', url: 'https://cdn.example.com/chart.png' }]);
  });

  it('maps a call whose outputs were not included to no outputs', () => {
    assert.deepEqual(outputsOf(null), []);
  });
});
