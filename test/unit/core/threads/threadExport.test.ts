import * as assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { createNewFile, nodeFileSystem, slotFor } from '../../../../src/core/workspace/fileSystem';
import { isStoredOutput, textOf } from '../../../../src/common/model';
import { EXPORT_NAME_TRIES, threadToJson, threadToMarkdown } from '../../../../src/core/threads/threadExport';
import { parseThreadFile } from '../../../../src/core/threads/threadFile';
import type { StoredThread } from '../../../../src/core/threads/threadStore';
import { ThreadStore } from '../../../../src/core/threads/threadStore';
import { pngChart } from '../../../fakes/png';

const PLOT = Buffer.concat([pngChart(), Buffer.from('plot')]);
const PICTURE = Buffer.concat([pngChart(), Buffer.from('picture')]);
const dataUrl = (bytes: Buffer) => `data:image/png;base64,${bytes.toString('base64')}`;

/** A thread with a question, a run that called a function, searched files and plotted, and a cited answer with an image. */
function richThread(): StoredThread {
  const answer = 'The stock is low 【4:0†inventory.ts】 and the docs agree.';
  return {
    thread: { id: 'thread-1', title: 'Stock check', createdAt: 1_800_000_000, updatedAt: 1_800_000_100, backend: 'responses', remoteId: 'conv_1', assistantId: 'workspace:helper' },
    messages: [
      { id: 'msg_q', role: 'user', content: [{ type: 'text', text: 'Is any item low on stock?', annotations: [] }], createdAt: 1_800_000_000, attachments: [{ fileId: 'file-csv', filename: 'stock.csv', tools: ['code_interpreter'] }] },
      {
        id: 'msg_a',
        role: 'assistant',
        runId: 'run_1',
        createdAt: 1_800_000_050,
        status: 'completed',
        content: [
          {
            type: 'text',
            text: answer,
            annotations: [
              { type: 'file_citation', text: '【4:0†inventory.ts】', fileId: 'file-inv', filename: 'inventory.ts', startIndex: answer.indexOf('【'), endIndex: answer.indexOf('】') + 1 },
              { type: 'url_citation', url: 'https://example.com/docs', title: 'Stock docs', startIndex: answer.length - 1, endIndex: answer.length - 1 },
            ],
          },
          { type: 'image_url', url: dataUrl(PICTURE) },
        ],
      },
    ],
    runs: {
      run_1: {
        run: { id: 'run_1', threadId: 'thread-1', assistantId: 'workspace:helper', status: 'completed', createdAt: 1_800_000_001 },
        steps: [
          { id: 's1', runId: 'run_1', status: 'completed', createdAt: 1, details: { type: 'tool_calls', toolCalls: [{ type: 'function', id: 'c1', name: 'read_file', arguments: '{"path":"src/inventory.ts"}', output: 'x'.repeat(1000) }] } },
          { id: 's2', runId: 'run_1', status: 'completed', createdAt: 2, details: { type: 'tool_calls', toolCalls: [{ type: 'file_search', id: 'c2', queries: ['low stock'], results: [{ fileId: 'file-inv', filename: 'inventory.ts', score: 0.9 }] }] } },
          {
            id: 's3',
            runId: 'run_1',
            status: 'completed',
            createdAt: 3,
            details: { type: 'tool_calls', toolCalls: [{ type: 'code_interpreter', id: 'c3', input: 'plot(stock)', outputs: [{ type: 'logs', logs: 'plotted 4 bars' }, { type: 'image', fileId: 'inline-0', url: dataUrl(PLOT) }] }] },
          },
          { id: 's4', runId: 'run_1', status: 'completed', createdAt: 4, details: { type: 'message_creation', messageId: 'msg_a' } },
        ],
      },
    },
  };
}

describe('thread export', () => {
  let dir: string;
  let store: ThreadStore;
  let stored: StoredThread;

  beforeEach(async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'export-'));
    store = new ThreadStore(nodeFileSystem, dir);
    stored = richThread();
    // Saved: the images move beside the thread, as in a real workspace.
    await store.save(stored);
  });
  afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

  it('renders questions, answers, tool calls in brief, citations and the images (as files beside it)', async () => {
    assert.ok(isStoredOutput((stored.messages[1].content[1] as { url: string }).url), 'the image is kept beside the thread');
    const { markdown, images } = await threadToMarkdown(stored, { assistantName: 'Helper', readImage: (url) => store.readOutput('thread-1', url), imageFolder: 'stock-images' });
    assert.match(markdown, /^# Stock check\n/);
    assert.match(markdown, /Assistant: Helper/);
    assert.match(markdown, /## You\n\nIs any item low on stock\?/);
    assert.match(markdown, /Attached: `stock\.csv` \(code interpreter\)/);
    assert.match(markdown, /## Helper\n\nThe stock is low \[1\] and the docs agree\[2\]\./);
    assert.match(markdown, /Sources:\n\n1\. `inventory\.ts` \(file id `file-inv`; cited at characters 17–35\)\n2\. \[Stock docs\]\(<https:\/\/example\.com\/docs>\) \(cited at character 54\)/);
    assert.match(markdown, /> \*\*Function call\*\* `read_file\(\{"path":"src\/inventory\.ts"\}\)`/);
    assert.match(markdown, /… \(1000 characters in all\)/, 'a long output is cut');
    assert.ok(!markdown.includes('x'.repeat(301)));
    assert.match(markdown, /> \*\*File search\*\*: "low stock" — 1 result \(`inventory\.ts`\)/);
    assert.match(markdown, /> ```python\n> plot\(stock\)\n> ```/);
    assert.match(markdown, /plotted 4 bars/);
    // The tool calls come before the answer they led to.
    assert.ok(markdown.indexOf('Function call') < markdown.indexOf('## Helper'));
    assert.equal(images.length, 2);
    for (const image of images) {
      assert.match(image.path, /^stock-images\/[0-9a-f]{64}\.png$/);
      assert.ok(markdown.includes(`](<${image.path}>)`), `${image.path} is referenced`);
    }
    assert.deepEqual(new Set(images.map((i) => Buffer.from(i.bytes).toString('base64'))), new Set([PLOT.toString('base64'), PICTURE.toString('base64')]));
    assert.ok(!markdown.includes('stored-output:'), 'no store-internal URL leaks into the document');
  });

  it('writes logs and function outputs without their terminal escape sequences', async () => {
    const calls = stored.runs.run_1.steps.flatMap((step) => (step.details.type === 'tool_calls' ? step.details.toolCalls : []));
    for (const call of calls) {
      if (call.type === 'function') call.output = '\u001b[32m3 passed\u001b[0m, \u001b[31m1 failed\u001b[0m\u001b]0;title\u0007';
      if (call.type === 'code_interpreter') call.outputs[0] = { type: 'logs', logs: '\u009b1;33mwarning:\u009b0m low stock\u001b[\nloading 10%\rloading 100%\n\u009d0;title\u009clayer a: 5%\n\u001b[1A\u001b[2Klayer a: done\u001b[38:2::255:0:0m!' };
    }
    const { markdown } = await threadToMarkdown(stored, { assistantName: 'Helper', readImage: (url) => store.readOutput('thread-1', url), imageFolder: 'stock-images' });
    assert.match(markdown, /3 passed, 1 failed\n/);
    // As a terminal shows it: the progress bar where it ended, the line redrawn, no window title.
    assert.match(markdown, /warning: low stock\n> loading 100%\n> layer a: done!\n/);
    // eslint-disable-next-line no-control-regex -- what must not be written
    assert.doesNotMatch(markdown, /[\u001b\u009b\u009d\r]|\[\d+(;\d+)*m|\]0;|0;title|38:2/);
  });

  it('lists each cited file with its id, every place the answer cites it and the quoted text', async () => {
    const text = 'Kept in a map【1:0†a.ts】, sorted on read【1:1†a.ts】, see also【1:2†b】.';
    const at = (marker: string) => ({ startIndex: text.indexOf(marker), endIndex: text.indexOf(marker) + marker.length, text: marker });
    stored.messages[1].content = [{
      type: 'text',
      text,
      annotations: [
        { type: 'file_citation', fileId: 'file-a', filename: 'a.ts', quote: 'const stock = new Map()', ...at('【1:0†a.ts】') },
        { type: 'file_citation', fileId: 'file-a', filename: 'a.ts', quote: 'items.sort(byName)', ...at('【1:1†a.ts】') },
        { type: 'file_citation', fileId: 'file-b', ...at('【1:2†b】') },
      ],
    }];
    const { markdown } = await threadToMarkdown(stored, { readImage: async () => undefined, imageFolder: 'img' });
    assert.match(markdown, /Kept in a map\[1\], sorted on read\[1\], see also\[2\]\./);
    const a = at('【1:0†a.ts】');
    const a2 = at('【1:1†a.ts】');
    const b = at('【1:2†b】');
    assert.ok(
      markdown.includes(`Sources:\n\n1. \`a.ts\` (file id \`file-a\`; cited at characters ${a.startIndex}–${a.endIndex}, ${a2.startIndex}–${a2.endIndex}) — "const stock = new Map()" — "items.sort(byName)"\n2. \`file-b\` (cited at characters ${b.startIndex}–${b.endIndex})`),
      markdown,
    );
  });

  it('keeps every field of every citation in the JSON export', async () => {
    const annotations = [
      { type: 'file_citation' as const, text: '【4:0†a】', fileId: 'file-a', filename: 'a.ts', quote: 'the quote', startIndex: 1, endIndex: 8 },
      { type: 'file_path' as const, text: 'sandbox:/mnt/data/x.csv', fileId: 'file-x', containerId: 'cntr_1', filename: 'x.csv', startIndex: 9, endIndex: 30 },
      { type: 'url_citation' as const, url: 'https://example.com', title: 'Example', startIndex: 31, endIndex: 40 },
    ];
    stored.messages[1].content = [{ type: 'text', text: 'x'.repeat(41), annotations }];
    const json = await threadToJson(stored, (url) => store.readOutput('thread-1', url));
    const parsed = parseThreadFile(new TextEncoder().encode(json), 'thread-1');
    assert.deepEqual((parsed?.messages[1].content[0] as { annotations: unknown }).annotations, annotations);
  });

  it('heads each answer with the assistant its run recorded, not the thread\'s assistant now', async () => {
    stored.runs.run_1.assistant = { id: 'workspace:helper', name: 'Helper then' };
    stored.thread.assistantId = 'user:reviewer';
    stored.messages.push(
      { id: 'msg_q2', role: 'user', content: [{ type: 'text', text: 'And now?', annotations: [] }], createdAt: 1_800_000_060 },
      { id: 'msg_a2', role: 'assistant', runId: 'run_2', createdAt: 1_800_000_070, status: 'completed', content: [{ type: 'text', text: 'Reviewed.', annotations: [] }] },
    );
    stored.runs.run_2 = { run: { id: 'run_2', threadId: 'thread-1', assistantId: 'user:reviewer', status: 'completed', createdAt: 1_800_000_061 }, steps: [], assistant: { id: 'user:reviewer', name: 'Reviewer' } };
    const names = new Map([['workspace:helper', 'Workspace helper'], ['user:reviewer', 'Reviewer']]);
    const { markdown } = await threadToMarkdown(stored, { assistantName: 'Reviewer', assistantNames: names, readImage: (url) => store.readOutput('thread-1', url), imageFolder: 'img' });
    const headings = markdown.split('\n').filter((line) => line.startsWith('## '));
    assert.deepEqual(headings, ['## You', '## Workspace helper', '## You', '## Reviewer']);
    // An assistant deleted since keeps the name it had when it answered.
    const { markdown: without } = await threadToMarkdown(stored, { assistantName: 'Reviewer', assistantNames: new Map([['user:reviewer', 'Reviewer']]), readImage: (url) => store.readOutput('thread-1', url), imageFolder: 'img' });
    assert.match(without, /## Helper then\n/);
  });

  it('says so when an image is gone, and when a run failed without an answer', async () => {
    stored.runs.run_2 = { run: { id: 'run_2', threadId: 'thread-1', assistantId: 'a', status: 'failed', createdAt: 5, lastError: { code: 'server_error', message: 'The server had an error' } }, steps: [] };
    const { markdown, images } = await threadToMarkdown(stored, { readImage: async () => undefined, imageFolder: 'img' });
    assert.equal(images.length, 0);
    assert.match(markdown, /no longer available/);
    assert.match(markdown, /The run failed: The server had an error\./);
    assert.match(markdown, /## Assistant\n/, 'without a name the answers are the assistant\'s');
  });

  it('says a stopped run\'s answer was stopped, and a cut-off one\'s was cut off', async () => {
    const answer = stored.messages[1];
    for (const [status, message] of [['in_progress', 'in_progress'], ['cancelled', 'incomplete'], ['cancelled', 'in_progress'], ['cancelling', 'incomplete']] as const) {
      stored.runs.run_1.run.status = status;
      answer.status = message;
      const { markdown } = await threadToMarkdown(stored, { readImage: async () => undefined, imageFolder: 'img' });
      if (status === 'in_progress') {
        assert.doesNotMatch(markdown, /stopped before it finished/, 'a run still going was not stopped');
        continue;
      }
      assert.match(markdown, /\*The answer was stopped before it finished; what had arrived is kept\.\*/, `${status} run, ${message} answer`);
      assert.doesNotMatch(markdown, /cut off/, `${status} run, ${message} answer`);
    }
    stored.runs.run_1.run.status = 'incomplete';
    answer.status = 'incomplete';
    const { markdown } = await threadToMarkdown(stored, { readImage: async () => undefined, imageFolder: 'img' });
    assert.match(markdown, /The answer was cut off before it finished\./, 'a run the server cut off');
    assert.doesNotMatch(markdown, /stopped/);
  });

  it('writes the stored thread as JSON with its images inline, which reads back as the same thread', async () => {
    stored.pendingRun = { threadId: 'thread-1', runId: 'run_9' };
    const json = await threadToJson(stored, (url) => store.readOutput('thread-1', url));
    const parsed = parseThreadFile(new TextEncoder().encode(json), 'thread-1');
    assert.ok(parsed, 'the export is a valid thread file');
    assert.equal(parsed.pendingRun, undefined, 'no run in progress is exported');
    assert.equal((parsed.messages[1].content[1] as { url: string }).url, dataUrl(PICTURE));
    const other = new ThreadStore(nodeFileSystem, path.join(dir, 'other'));
    await other.save(parsed);
    const back = await other.load('thread-1');
    assert.ok(back);
    const { pendingRun: _pending, ...original } = stored;
    assert.deepEqual(back, original, 'saved into another workspace it is the same thread');
    assert.deepEqual(Buffer.from((await other.readOutput('thread-1', (back.messages[1].content[1] as { url: string }).url))!), PICTURE);
    assert.ok(isStoredOutput((stored.messages[1].content[1] as { url: string }).url), 'the thread itself is not changed');
  });

  describe('files a run made, kept with the thread', () => {
    const CSV = Buffer.from('day,value\nmon,3\n');
    const answer = 'Here: [the table](sandbox:/mnt/data/x.csv), [lost](sandbox:/mnt/data/lost.csv) and [other](sandbox:/mnt/data/other/x.csv).';

    /** A v2 answer with a kept figure, a kept CSV cited by its link, one that could not be kept, and a second `x.csv`. */
    async function keptThread(): Promise<StoredThread> {
      const figure = await store.keepFile('thread-1', PLOT, 'png');
      const csv = await store.keepFile('thread-1', CSV, 'csv');
      const other = await store.keepFile('thread-1', Buffer.from('other'), 'csv');
      const at = (target: string) => ({ startIndex: answer.indexOf(target), endIndex: answer.indexOf(target) + target.length });
      stored.messages.push({
        id: 'msg_b',
        role: 'assistant',
        runId: 'run_1',
        createdAt: 1_800_000_060,
        status: 'completed',
        content: [
          {
            type: 'text',
            text: answer,
            annotations: [
              { type: 'file_path', text: 'sandbox:/mnt/data/x.csv', fileId: 'file-x', ...at('sandbox:/mnt/data/x.csv'), kept: { url: csv, filename: 'x.csv', bytes: CSV.length } },
              { type: 'file_path', text: 'sandbox:/mnt/data/lost.csv', fileId: 'file-l', ...at('sandbox:/mnt/data/lost.csv'), kept: { error: 'lost.csv could not be kept: the server no longer has it.', failures: 2 } },
              { type: 'file_path', text: 'sandbox:/mnt/data/other/x.csv', fileId: 'file-o', ...at('sandbox:/mnt/data/other/x.csv'), kept: { url: other, filename: 'x.csv', bytes: 5 } },
            ],
          },
          { type: 'image_file', fileId: 'file-fig', kept: { url: figure, filename: 'chart.png', bytes: PLOT.length } },
          { type: 'image_file', fileId: 'file-gone', kept: { error: 'chart2.png could not be kept: the server no longer has it.', failures: 2 } },
        ],
      });
      await store.save(stored);
      return stored;
    }

    it('writes kept figures and files beside the Markdown and points the sandbox links at them', async () => {
      const thread = await keptThread();
      const { markdown, images } = await threadToMarkdown(thread, { readImage: (url) => store.readOutput('thread-1', url), imageFolder: 'out' });
      const written = new Map(images.map((image) => [image.path, Buffer.from(image.bytes)]));
      assert.deepEqual(written.get('out/x.csv'), CSV, 'the CSV under the name the model gave it');
      assert.deepEqual(written.get('out/x-2.csv'), Buffer.from('other'), 'a second file of that name does not overwrite the first');
      assert.match(markdown, /\[the table\]\(<out\/x\.csv>\)/);
      assert.match(markdown, /\[other\]\(<out\/x-2\.csv>\)/);
      assert.match(markdown, /lost \*\(lost\.csv: not kept\)\*/);
      assert.doesNotMatch(markdown, /sandbox:/, 'no link leads into the sandbox');
      const figure = [...written].find(([p, bytes]) => p.endsWith('.png') && bytes.equals(PLOT));
      assert.ok(figure, 'the kept figure is written');
      assert.match(markdown, new RegExp(`!\\[Image 2\\]\\(<${figure[0].replace(/\./g, '\\.')}>\\)`));
      assert.match(markdown, /\*\(Image 3: chart2\.png could not be kept: the server no longer has it\.\)\*/);
    });

    it('writes no image or file over what is already beside the document, nor through a link there', async function () {
      if (process.platform === 'win32') this.skip();
      const thread = await keptThread();
      const base = path.join(dir, 'export');
      const outside = path.join(dir, 'outside');
      fs.mkdirSync(path.join(base, 'out'), { recursive: true });
      fs.mkdirSync(outside);
      const figureName = `${createHash('sha256').update(PLOT).digest('hex')}.png`;
      // The user's own file, a link a repository committed under the model's name, and one under the figure's hash name.
      fs.writeFileSync(path.join(base, 'out', 'x.csv'), 'the user\'s own table');
      fs.symlinkSync(path.join(outside, 'authorized_keys'), path.join(base, 'out', 'x-2.csv'));
      fs.symlinkSync(path.join(outside, 'figure.png'), path.join(base, 'out', figureName));
      const occupied = async (relative: string, bytes: Uint8Array) => (await slotFor(base, relative, bytes)) === 'taken';
      const { markdown, images } = await threadToMarkdown(thread, { readImage: (url) => store.readOutput('thread-1', url), imageFolder: 'out', occupied });
      const written = new Map(images.map((image) => [image.path, Buffer.from(image.bytes)]));
      assert.deepEqual(written.get('out/x-3.csv'), CSV, 'the CSV goes past the user\'s file and the link');
      assert.deepEqual(written.get('out/x-4.csv'), Buffer.from('other'));
      assert.deepEqual(written.get(`out/${figureName.replace('.png', '-2.png')}`), PLOT, 'the figure goes past the link of its name');
      assert.match(markdown, /\[the table\]\(<out\/x-3\.csv>\)/);
      assert.match(markdown, /\[other\]\(<out\/x-4\.csv>\)/);
      for (const image of images) assert.equal(await createNewFile(base, image.path, image.bytes), true, image.path);
      assert.equal(fs.readFileSync(path.join(base, 'out', 'x.csv'), 'utf8'), 'the user\'s own table');
      assert.deepEqual(fs.readdirSync(outside), [], 'nothing was written through the links');
      // Exported again: the files this export wrote hold the same bytes and keep their names.
      const again = await threadToMarkdown(thread, { readImage: (url) => store.readOutput('thread-1', url), imageFolder: 'out', occupied });
      assert.equal(again.markdown, markdown);
    });

    it('gives up with a sentence when every name of a file is taken', async () => {
      const thread = await keptThread();
      await assert.rejects(
        threadToMarkdown(thread, { readImage: (url) => store.readOutput('thread-1', url), imageFolder: 'out', occupied: async (relative) => relative.endsWith('.csv') }),
        new RegExp(`out already holds ${EXPORT_NAME_TRIES} other files named like x\\.csv, so the thread was not exported`),
      );
    });

    it('embeds kept files in the JSON without touching text that reads like its placeholders', async () => {
      const thread = await keptThread();
      const lookalike = 'inline-0-0, inline-000000000000000000000000-1 and "inline-x-2" stay as written.';
      thread.messages.push({ id: 'msg_l', role: 'user', createdAt: 1_800_000_070, content: [{ type: 'text', text: lookalike, annotations: [] }] });
      const json = await threadToJson(thread, (url) => store.readOutput('thread-1', url));
      const parsed = parseThreadFile(new TextEncoder().encode(json), 'thread-1')!;
      assert.equal(textOf(parsed.messages.at(-1)!.content), lookalike);
      assert.deepEqual(json.match(/inline-[0-9a-f]{24}-\d/g), ['inline-000000000000000000000000-1'], 'every placeholder was replaced; the look-alike stays');
      const part = parsed.messages[2].content[0];
      assert.ok(part.type === 'text' && part.annotations[0].type === 'file_path');
      assert.equal(part.annotations[0].kept?.url, `data:text/csv;base64,${CSV.toString('base64')}`);
    });

    it('embeds kept files in the JSON, which saves back into another workspace as the same files', async () => {
      const thread = await keptThread();
      const json = await threadToJson(thread, (url) => store.readOutput('thread-1', url));
      assert.doesNotMatch(json, /stored-output:/, 'nothing refers to this workspace\'s storage');
      const parsed = parseThreadFile(new TextEncoder().encode(json), 'thread-1')!;
      const part = parsed.messages[2].content[0];
      assert.ok(part.type === 'text' && part.annotations[0].type === 'file_path');
      assert.equal(part.annotations[0].kept?.url, `data:text/csv;base64,${CSV.toString('base64')}`);
      const other = new ThreadStore(nodeFileSystem, path.join(dir, 'other'));
      await other.save(parsed);
      const back = (await other.load('thread-1'))!;
      const backPart = back.messages[2].content[0];
      assert.ok(backPart.type === 'text' && backPart.annotations[0].type === 'file_path');
      const url = backPart.annotations[0].kept?.url ?? '';
      assert.ok(isStoredOutput(url) && url.endsWith('.csv'));
      assert.deepEqual(Buffer.from((await other.readOutput('thread-1', url))!), CSV);
      const image = back.messages[2].content[1];
      assert.ok(image.type === 'image_file');
      assert.deepEqual(Buffer.from((await other.readOutput('thread-1', image.kept?.url ?? ''))!), PLOT);
      assert.equal(await other.removeUnusedOutputs('thread-1'), 0, 'kept files count as used');
    });

    it('writes files with hostile names under names every file system takes, each once, and says which were deleted by hand', async () => {
      // Names a model (or a thread file imported from someone else) may give; each kept with bytes of its own.
      const names = ['Chart.csv', 'chart.csv', 'CHART.CSV', '../../escape.csv', 'con.png', 'LPT1', 'report\u202Evsc.exe', 'line\nbreak.csv', `${'图'.repeat(300)}.csv`, `${'x'.repeat(300)}.csv`, 'x.csv.', 'x.csv', '...'];
      const annotations = [];
      let text = '';
      for (const [i, name] of names.entries()) {
        const url = await store.keepFile('thread-1', Buffer.from(`file ${i}`), 'csv');
        const link = `[f${i}](sandbox:/mnt/data/f${i})`;
        annotations.push({ type: 'file_path' as const, text: `sandbox:/mnt/data/f${i}`, fileId: `file-${i}`, startIndex: text.length + link.indexOf('sandbox:'), endIndex: text.length + link.length - 1, kept: { url, filename: name, bytes: 6 } });
        text += `${link} `;
      }
      const deleted = await store.keepFile('thread-1', Buffer.from('deleted by hand'), 'csv');
      fs.rmSync(path.join(dir, 'outputs', 'thread-1', deleted.slice('stored-output:'.length)));
      const link = '[gone](sandbox:/mnt/data/gone.csv)';
      annotations.push({ type: 'file_path' as const, text: 'sandbox:/mnt/data/gone.csv', fileId: 'file-gone', startIndex: text.length + link.indexOf('sandbox:'), endIndex: text.length + link.length - 1, kept: { url: deleted, filename: 'gone.csv', bytes: 15 } });
      text += link;
      stored.messages.push({ id: 'msg_h', role: 'assistant', runId: 'run_1', createdAt: 1_800_000_060, status: 'completed', content: [{ type: 'text', text, annotations }] });

      const { markdown, images } = await threadToMarkdown(stored, { readImage: (url) => store.readOutput('thread-1', url), imageFolder: 'out' });
      const files = images.filter((image) => !/^out\/[0-9a-f]{64}\./.test(image.path));
      assert.equal(files.length, names.length, 'every kept file is written');
      assert.equal(new Set(files.map((f) => f.path.toLowerCase())).size, files.length, 'no two in one folder differ only in case');
      assert.deepEqual(new Set(files.map((f) => Buffer.from(f.bytes).toString())), new Set(names.map((_, i) => `file ${i}`)), 'none overwrote another');
      for (const { path: written } of files) {
        const base = written.slice('out/'.length);
        assert.ok(written.startsWith('out/') && !base.includes('/') && !base.includes('..'), `${written} stays in the folder`);
        assert.ok(Buffer.byteLength(base) <= 255, `${base.slice(0, 20)}… fits a file system's 255 bytes`);
        // eslint-disable-next-line no-control-regex -- control characters are what is looked for
        assert.doesNotMatch(base, /[\u0000-\u001f\u202a-\u202e\u2066-\u2069<>:"|?*]/, `${JSON.stringify(base)} has no character a file system refuses or that turns the text around`);
        assert.doesNotMatch(base, /^(con|prn|aux|nul|com\d|lpt\d)(\.|$)/i, `${base} is no Windows device`);
        assert.doesNotMatch(base, /[. ]$/, `${base} does not end in a dot or space (Windows drops them)`);
        assert.ok(markdown.includes(`(<${written}>)`), `the Markdown links ${written}`);
      }
      assert.match(markdown, /gone \*\(gone\.csv: not kept\)\*/, 'a kept file deleted by hand is said not kept');
    });
  });
});
