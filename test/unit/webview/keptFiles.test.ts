import * as assert from 'node:assert/strict';
import { GlobalRegistrator } from '@happy-dom/global-registrator';
import type { Annotation, KeptFile, Message } from '../../../src/common/model';
import type { WebviewToHost } from '../../../src/common/protocol';
import type * as MessageModule from '../../../webview/render/message';
import type * as FigureModule from '../../../webview/render/figure';
import type * as FilesModule from '../../../webview/files';
import { chatRequester, fileReads } from './chatRequests';

const PNG_URL = `stored-output:${'a'.repeat(64)}.png`;
const CSV_URL = `stored-output:${'b'.repeat(64)}.csv`;

const answer = (text: string, annotations: Annotation[], content: Message['content'] = []): Message => ({
  id: 'msg_a',
  role: 'assistant',
  content: [{ type: 'text', text, annotations }, ...content],
  createdAt: 1,
  status: 'completed',
});

describe('files a run made, as the chat shows them once kept (DOM, happy-dom)', () => {
  let render: (message: Message) => HTMLElement;
  let figures: InstanceType<typeof FigureModule.Figures>;
  let posted: WebviewToHost[];
  let requests: ReturnType<typeof chatRequester>;

  before(() => {
    GlobalRegistrator.register({ url: 'https://webview.test/' });
    const prototype = HTMLElement.prototype as { attachInternals?: () => unknown };
    prototype.attachInternals ??= () => ({ form: null, setFormValue: () => undefined });
    /* eslint-disable @typescript-eslint/no-require-imports -- the UI kit defines custom elements when loaded, so it loads after the DOM exists */
    const { renderMessage } = require('../../../webview/render/message') as typeof MessageModule;
    const { Figures } = require('../../../webview/render/figure') as typeof FigureModule;
    const { FileRequests } = require('../../../webview/files') as typeof FilesModule;
    /* eslint-enable @typescript-eslint/no-require-imports */
    const post = (message: WebviewToHost) => posted.push(message);
    requests = chatRequester(post);
    figures = new Figures(new FileRequests(requests), post, () => 't1');
    render = (message) => renderMessage(message, { assistantName: 'Helper', figures });
  });

  beforeEach(() => {
    posted = [];
  });

  after(async () => {
    await GlobalRegistrator.unregister();
  });

  const saves = () => posted.filter((m) => m.type === 'file/save');
  const requestsFor = () => fileReads(posted);

  it('draws a kept figure from beside the thread and saves it under the model\'s name', () => {
    const kept: KeptFile = { url: PNG_URL, filename: 'chart.png', bytes: 10 };
    const figure = render(answer('', [], [{ type: 'image_file', fileId: 'file-1', kept }]));
    assert.deepEqual(requestsFor().map((m) => [m.fileId, m.threadId]), [[PNG_URL, 't1']], 'read from the thread, not the server');
    figure.querySelector<HTMLElement>('.file-figure-save')!.click();
    assert.deepEqual(saves(), [{ type: 'file/save', fileId: PNG_URL, threadId: 't1', filename: 'chart.png' }]);
  });

  it('says why a figure was not kept, and offers no Save', () => {
    const kept: KeptFile = { error: 'chart.png could not be kept: the server no longer has it.', failures: 2, filename: 'chart.png' };
    const figure = render(answer('', [], [{ type: 'image_file', fileId: 'file-2', kept }]));
    assert.match(figure.querySelector('.file-figure-error')?.textContent ?? '', /could not be kept/);
    assert.equal(figure.querySelector('.file-figure-save'), null);
    assert.deepEqual(requestsFor(), [], 'nothing is asked for');
  });

  it('asks the host for a figure still on its way, naming the thread, and offers Save only once it arrived', () => {
    const figure = render(answer('', [], [{ type: 'image_file', fileId: 'file-3' }]));
    assert.deepEqual(requestsFor().map((m) => [m.fileId, m.threadId]), [['file-3', 't1']]);
    assert.equal(figure.querySelector<HTMLElement>('.file-figure-save')?.hidden, true);
  });

  it('keeps showing an answer\'s image from the server while its kept copy loads', async () => {
    const png = 'data:image/png;base64,iVBORw0KGgo=';
    const keptUrl = `stored-output:${'e'.repeat(64)}.png`;
    const image = (figure: HTMLElement) => figure.querySelector('img')?.getAttribute('src') ?? figure.querySelector('.file-figure-status')?.textContent;
    const first = render(answer('', [], [{ type: 'image_file', fileId: 'file-4' }]));
    const read = posted.find((m) => m.type === 'request' && m.kind === 'file/read');
    assert.ok(read?.type === 'request');
    requests.receive({ type: 'reply', id: read.id, ok: true, value: { dataUrl: png } });
    await new Promise<void>((resolve) => setImmediate(resolve));
    assert.equal(image(first), png);
    const drawnAgain = render(answer('', [], [{ type: 'image_file', fileId: 'file-4', kept: { url: keptUrl, filename: 'chart.png', bytes: 10 } }]));
    assert.equal(image(drawnAgain), png, 'no "Loading image…" in its place');
    assert.deepEqual(requestsFor().map((m) => m.fileId), ['file-4', keptUrl], 'the kept copy is read all the same');
    // Another message's image in the same place of its own is its own.
    assert.equal(image(render({ ...answer('', [], [{ type: 'image_file', fileId: 'file-4', kept: { url: keptUrl, bytes: 10 } }]), id: 'msg_b' })), 'Loading image…');
  });

  it('turns a cited sandbox link into Save of the kept file (Assistants v2 and Responses citations)', () => {
    const text = 'Download [the table](sandbox:/mnt/data/x.csv) or [y](sandbox:/mnt/data/y.csv).';
    // Assistants v2 cites the link's target; Responses the whole link.
    const target = text.indexOf('sandbox:/mnt/data/x.csv');
    const v2: Annotation = { type: 'file_path', text: 'sandbox:/mnt/data/x.csv', fileId: 'file-x', startIndex: target, endIndex: target + 23, kept: { url: CSV_URL, filename: 'x.csv' } };
    const link = text.indexOf('[y]');
    const responses: Annotation = { type: 'file_path', fileId: 'cfile-y', containerId: 'cntr', filename: 'y.csv', startIndex: link, endIndex: text.indexOf(').', link) + 1, kept: { url: CSV_URL, filename: 'y.csv' } };
    const article = render(answer(text, [v2, responses]));
    const links = Array.from(article.querySelectorAll<HTMLElement>('.sandbox-link[role="button"]'));
    assert.deepEqual(links.map((l) => l.textContent), ['the table', 'y']);
    assert.equal(article.querySelector('a[href^="sandbox:"]'), null, 'no href leads into the sandbox');
    links[0].click();
    links[1].dispatchEvent(new KeyboardEvent('keydown', { key: 'Enter' }));
    assert.deepEqual(saves(), [
      { type: 'file/save', fileId: CSV_URL, threadId: 't1', filename: 'x.csv' },
      { type: 'file/save', fileId: CSV_URL, threadId: 't1', filename: 'y.csv' },
    ]);
    assert.match(article.textContent ?? '', /the table/, 'the link text stays as written');
  });

  it('shows a sandbox link to a file not kept, or never named, as text that says so', () => {
    const failed: Annotation = { type: 'file_path', text: 'sandbox:/mnt/data/gone.csv', fileId: 'file-g', kept: { error: 'gone.csv could not be kept: the server no longer has it.', failures: 2 } };
    const article = render(answer('[gone](sandbox:/mnt/data/gone.csv) and [unknown](sandbox:/mnt/data/unknown.csv)', [failed]));
    const missing = Array.from(article.querySelectorAll<HTMLElement>('.sandbox-link-missing'));
    assert.deepEqual(missing.map((m) => [m.textContent, m.getAttribute('title')]), [
      ['gone', 'gone.csv could not be kept: the server no longer has it.'],
      ['unknown', 'This file was not kept: the server did not name it.'],
    ]);
    assert.equal(article.querySelector('.sandbox-link[role="button"]'), null);
  });

  it('lets a footnote save its kept file, and says why when it is not kept', () => {
    const keptNote: Annotation = { type: 'file_path', fileId: 'cfile-1', containerId: 'c', filename: 'chart.png', startIndex: 0, endIndex: 4, kept: { url: PNG_URL, filename: 'chart.png' } };
    const lostNote: Annotation = { type: 'file_path', fileId: 'cfile-2', containerId: 'c', filename: 'x.csv', startIndex: 0, endIndex: 4, kept: { error: 'x.csv is 40 MB, more than the 32 MB kept of one file, so it was not kept.' } };
    const article = render(answer('Done.', [keptNote, lostNote]));
    const buttons = Array.from(article.querySelectorAll<HTMLElement>('.footnotes .chip-action'));
    assert.equal(buttons.length, 1, 'only the kept file offers Save');
    buttons[0].click();
    assert.deepEqual(saves(), [{ type: 'file/save', fileId: PNG_URL, threadId: 't1', filename: 'chart.png' }]);
    assert.match(article.querySelector('.footnotes .chip-missing')?.textContent ?? '', /x\.csv is 40 MB/);
  });
});
