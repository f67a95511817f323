import * as assert from 'node:assert/strict';
import type { WebviewToHost } from '../../../src/common/protocol';
import { applyCitations } from '../../../webview/citations';
import type { FileStatus } from '../../../webview/files';
import { FileRequests, TIMEOUT_ERROR } from '../../../webview/files';

const PNG_URL = 'data:image/png;base64,iVBORw0KGgo=';

function harness() {
  const posted: WebviewToHost[] = [];
  const timers: (() => void)[] = [];
  let next = 0;
  const files = new FileRequests({ post: (m) => posted.push(m), newRequestId: () => `req-${++next}`, setTimer: (callback) => timers.push(callback) });
  const seen: FileStatus[] = [];
  return { files, posted, timers, seen, listener: (status: FileStatus) => seen.push(status) };
}

describe('webview file requests', () => {
  it('asks the host once per file, and hands every figure the image when it arrives', () => {
    const h = harness();
    assert.deepEqual(h.files.watch({ fileId: 'cfile_1', containerId: 'cntr_1' }, h.listener), { state: 'loading' });
    assert.deepEqual(h.files.watch({ fileId: 'cfile_1', containerId: 'cntr_1' }, (status) => h.listener(status)), { state: 'loading' });
    assert.deepEqual(h.posted, [{ type: 'file/request', requestId: 'req-1', fileId: 'cfile_1', containerId: 'cntr_1' }]);
    h.files.receive({ type: 'file/content', requestId: 'req-1', fileId: 'cfile_1', dataUrl: PNG_URL });
    assert.deepEqual(h.seen, [
      { state: 'ready', dataUrl: PNG_URL },
      { state: 'ready', dataUrl: PNG_URL },
    ]);
    assert.deepEqual(h.files.watch({ fileId: 'cfile_1', containerId: 'cntr_1' }, h.listener), { state: 'ready', dataUrl: PNG_URL }, 're-renders need no request');
    assert.equal(h.posted.length, 1);
  });

  it('tells the same id in two containers apart', () => {
    const h = harness();
    h.files.watch({ fileId: 'cfile_1', containerId: 'a' }, h.listener);
    h.files.watch({ fileId: 'cfile_1', containerId: 'b' }, h.listener);
    h.files.watch({ fileId: 'cfile_1' }, h.listener);
    assert.deepEqual(h.posted.map((m) => m.type === 'file/request' && m.containerId), ['a', 'b', undefined]);
  });

  it('shows the host\'s sentence on a refusal and does not ask again', () => {
    const h = harness();
    h.files.watch({ fileId: 'file-csv' }, h.listener);
    h.files.receive({ type: 'file/content', requestId: 'req-1', fileId: 'file-csv', error: 'The file is not an image the chat can show.' });
    assert.deepEqual(h.seen, [{ state: 'error', error: 'The file is not an image the chat can show.' }]);
    h.files.watch({ fileId: 'file-csv' }, h.listener);
    assert.equal(h.posted.length, 1);
  });

  it('refuses anything but an image data URL from the host', () => {
    const h = harness();
    h.files.watch({ fileId: 'file-x' }, h.listener);
    h.files.receive({ type: 'file/content', requestId: 'req-1', fileId: 'file-x', dataUrl: 'https://example.com/x.png' });
    assert.equal(h.seen[0]?.state, 'error');
  });

  it('times out, still takes a late answer, and asks again when drawn again after the time-out', () => {
    const h = harness();
    h.files.watch({ fileId: 'file-slow' }, h.listener);
    assert.equal(h.timers.length, 1);
    h.timers[0]();
    assert.deepEqual(h.seen, [{ state: 'error', error: TIMEOUT_ERROR }]);
    h.files.receive({ type: 'file/content', requestId: 'req-1', fileId: 'file-slow', dataUrl: PNG_URL });
    assert.deepEqual(h.seen.at(-1), { state: 'ready', dataUrl: PNG_URL }, 'the late answer reaches the figure');

    const again = harness();
    again.files.watch({ fileId: 'file-slow' }, again.listener);
    again.timers[0]();
    assert.deepEqual(again.files.watch({ fileId: 'file-slow' }, again.listener), { state: 'loading' });
    assert.equal(again.posted.length, 2, 'a second request after the time-out');
    again.files.receive({ type: 'file/content', requestId: 'req-1', fileId: 'file-slow', dataUrl: PNG_URL });
    assert.equal(again.seen.length, 1, 'the superseded answer is ignored');
    again.files.receive({ type: 'file/content', requestId: 'req-2', fileId: 'file-slow', dataUrl: PNG_URL });
    assert.deepEqual(again.seen.at(-1), { state: 'ready', dataUrl: PNG_URL });
  });

  it('ignores answers to requests it never made, and a time-out after the answer', () => {
    const h = harness();
    h.files.receive({ type: 'file/content', requestId: 'req-9', fileId: 'file-x', dataUrl: PNG_URL });
    h.files.watch({ fileId: 'file-x' }, h.listener);
    h.files.receive({ type: 'file/content', requestId: 'req-1', fileId: 'file-x', dataUrl: PNG_URL });
    h.timers[0]();
    assert.deepEqual(h.seen, [{ state: 'ready', dataUrl: PNG_URL }]);
  });
});

describe('webview citations of files the code interpreter wrote', () => {
  it('lists file_path footnotes as files to save, by number', () => {
    const cited = applyCitations('See the chart.', [
      { type: 'file_citation', fileId: 'file-src', filename: 'notes.md', startIndex: 3, endIndex: 3 },
      { type: 'file_path', fileId: 'cfile_1', containerId: 'cntr_1', filename: 'chart.png', startIndex: 0, endIndex: 14 },
    ]);
    assert.equal(cited.footnotes.length, 2);
    assert.deepEqual([...cited.files], [[2, { fileId: 'cfile_1', containerId: 'cntr_1', filename: 'chart.png' }]]);
  });
});
