import * as assert from 'node:assert/strict';
import type { Annotation as WireAnnotation, MessageContent as WireContent } from 'openai/resources/beta/threads/messages';
import type { ToolCall as WireToolCall } from 'openai/resources/beta/threads/runs/steps';
import { fromWireAnnotation, fromWireContent, fromWireToolCall } from '../../../../src/backends/assistantsV2/mapRun';

describe('Assistants v2 mapping of files the assistant made', () => {
  it('maps a code-interpreter image to a plain file id (no container, no inline URL)', () => {
    const wire: WireToolCall = {
      id: 'call_1',
      type: 'code_interpreter',
      code_interpreter: { input: 'plot()', outputs: [{ type: 'logs', logs: '16' }, { type: 'image', image: { file_id: 'file-img' } }] },
    };
    const call = fromWireToolCall(wire);
    assert.ok(call?.type === 'code_interpreter');
    assert.deepEqual(call.outputs, [
      { type: 'logs', logs: '16' },
      { type: 'image', fileId: 'file-img' },
    ]);
  });

  it('maps an image_file message part and a file_path annotation to downloadable file ids', () => {
    const part: WireContent = { type: 'image_file', image_file: { file_id: 'file-part' } };
    assert.deepEqual(fromWireContent(part), { type: 'image_file', fileId: 'file-part' });
    const annotation: WireAnnotation = { type: 'file_path', text: 'sandbox:/mnt/data/out.csv', start_index: 3, end_index: 28, file_path: { file_id: 'file-csv' } };
    assert.deepEqual(fromWireAnnotation(annotation), { type: 'file_path', fileId: 'file-csv', filename: 'out.csv', text: 'sandbox:/mnt/data/out.csv', startIndex: 3, endIndex: 28 });
  });

  it('keeps the quoted text of a file citation when the server sends one, and nothing made up when it does not', () => {
    const quoted = { type: 'file_citation', text: '【4:0†a.md】', start_index: 5, end_index: 15, file_citation: { file_id: 'file-a', quote: 'stock is kept in a map' } } as WireAnnotation;
    assert.deepEqual(fromWireAnnotation(quoted), { type: 'file_citation', fileId: 'file-a', filename: 'a.md', quote: 'stock is kept in a map', text: '【4:0†a.md】', startIndex: 5, endIndex: 15 });
    const bare: WireAnnotation = { type: 'file_citation', text: '【4:1†a.md】', start_index: 20, end_index: 30, file_citation: { file_id: 'file-a' } };
    assert.deepEqual(fromWireAnnotation(bare), { type: 'file_citation', fileId: 'file-a', filename: 'a.md', text: '【4:1†a.md】', startIndex: 20, endIndex: 30 });
  });
});
