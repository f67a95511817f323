import * as assert from 'node:assert/strict';
import type { WebviewToHost } from '../../../src/common/protocol';
import { applyCitations } from '../../../webview/citations';
import type { FileStatus } from '../../../webview/files';
import { FileRequests, TIMEOUT_ERROR } from '../../../webview/files';
import { chatRequester } from './chatRequests';

const PNG_URL = 'data:image/png;base64,iVBORw0KGgo=';

/** Lets the replies' promises settle. */
const settled = () => new Promise<void>((resolve) => setImmediate(resolve));

function harness() {
  const posted: WebviewToHost[] = [];
  const timers: (() => void)[] = [];
  const requests = chatRequester((m) => posted.push(m), { set: (callback) => timers.push(callback), clear: () => undefined });
  const files = new FileRequests(requests);
  const seen: FileStatus[] = [];
  /** The host answers the `index`th request posted: an image, or a refusal's sentence. */
  const answer = async (index: number, reply: { dataUrl: string } | { error: string }) => {
    const request = posted[index];
    assert.ok(request?.type === 'request' && request.kind === 'file/read', `request ${index} is a file read`);
    requests.receive('error' in reply ? { type: 'reply', id: request.id, ok: false, error: reply.error } : { type: 'reply', id: request.id, ok: true, value: reply });
    await settled();
  };
  const payloads = () => posted.map((m) => (m.type === 'request' ? m.payload : undefined));
  return { files, requests, posted, timers, seen, answer, payloads, listener: (status: FileStatus) => seen.push(status) };
}

describe('webview file requests', () => {
  it('asks the host once per file, and hands every figure the image when it arrives', async () => {
    const h = harness();
    assert.deepEqual(h.files.watch({ fileId: 'cfile_1', containerId: 'cntr_1' }, h.listener), { state: 'loading' });
    assert.deepEqual(h.files.watch({ fileId: 'cfile_1', containerId: 'cntr_1' }, (status) => h.listener(status)), { state: 'loading' });
    assert.deepEqual(h.payloads(), [{ fileId: 'cfile_1', containerId: 'cntr_1' }]);
    await h.answer(0, { dataUrl: PNG_URL });
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
    assert.deepEqual(h.payloads(), [{ fileId: 'cfile_1', containerId: 'a' }, { fileId: 'cfile_1', containerId: 'b' }, { fileId: 'cfile_1' }]);
  });

  it('shows the host\'s sentence on a refusal and does not ask again', async () => {
    const h = harness();
    h.files.watch({ fileId: 'file-csv' }, h.listener);
    await h.answer(0, { error: 'The file is not an image the chat can show.' });
    assert.deepEqual(h.seen, [{ state: 'error', error: 'The file is not an image the chat can show.' }]);
    h.files.watch({ fileId: 'file-csv' }, h.listener);
    assert.equal(h.posted.length, 1);
  });

  it('refuses anything but an image data URL from the host', async () => {
    const h = harness();
    h.files.watch({ fileId: 'file-x' }, h.listener);
    await h.answer(0, { dataUrl: 'https://example.com/x.png' });
    assert.equal(h.seen[0]?.state, 'error');
  });

  it('times out, still takes a late answer, and asks again when drawn again after the time-out', async () => {
    const h = harness();
    h.files.watch({ fileId: 'file-slow' }, h.listener);
    assert.equal(h.timers.length, 1);
    h.timers[0]();
    await settled();
    assert.deepEqual(h.seen, [{ state: 'error', error: TIMEOUT_ERROR }]);
    await h.answer(0, { dataUrl: PNG_URL });
    assert.deepEqual(h.seen.at(-1), { state: 'ready', dataUrl: PNG_URL }, 'the late answer reaches the figure');

    const again = harness();
    again.files.watch({ fileId: 'file-slow' }, again.listener);
    again.timers[0]();
    await settled();
    assert.deepEqual(again.files.watch({ fileId: 'file-slow' }, again.listener), { state: 'loading' });
    assert.equal(again.posted.length, 2, 'a second request after the time-out');
    await again.answer(0, { dataUrl: PNG_URL });
    assert.equal(again.seen.length, 1, 'the superseded answer is ignored');
    await again.answer(1, { dataUrl: PNG_URL });
    assert.deepEqual(again.seen.at(-1), { state: 'ready', dataUrl: PNG_URL });
  });

  it('ignores answers to requests it never made, and a time-out after the answer', async () => {
    const h = harness();
    h.files.watch({ fileId: 'file-x' }, h.listener);
    assert.equal(h.requests.receive({ type: 'reply', id: 'r-unknown', ok: true, value: { dataUrl: PNG_URL } }), false);
    await settled();
    assert.deepEqual(h.seen, []);
    await h.answer(0, { dataUrl: PNG_URL });
    h.timers[0]();
    await settled();
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
