import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { FrameLocator, Locator } from 'playwright-core';
import type { BackendKind } from '../../src/common/model';
import { STORED_OUTPUT_PREFIX } from '../../src/common/model';
import type { FakeOpenAIServer } from '../fakes/fakeServer';
import type { Workbench } from './workbench';
import { chatSuite } from './workbench';

/** The part of an `<img>` the test reads (the test project has no DOM types). */
interface ImageElement {
  naturalWidth: number;
  decode(): Promise<void>;
}

const PNG_SIGNATURE = [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a];

// Responses sends the figure inline (a data URL); Assistants v2 names a file the host downloads.
const protocols: BackendKind[] = ['responses', 'assistantsV2'];

for (const protocol of protocols) {
  describe(`figures the code interpreter makes, over ${protocol} (packaged .vsix, fake server)`, function () {
    this.timeout(180_000);
    let workbench: Workbench;
    let fake: FakeOpenAIServer;
    let chat: FrameLocator;

    chatSuite(`figures-${protocol}`, protocol, (started) => ({ workbench, fake } = started), { 'assistants.tools.codeInterpreter': true });

    before(async () => {
      chat = workbench.chatFrame();
    });

    /**
     * The first figure under the last answer, once drawn from the copy kept beside the thread. Until
     * that copy is written (after 'Completed' on a busy machine) the figure shows the server's file
     * or the inline image, and the page draws it anew when the copy lands: an element found earlier
     * is gone by the next step.
     */
    const keptFigure = (): Locator => chat.locator('.run-block').last().locator(`.run-figures figure.file-figure[data-file-id^="${STORED_OUTPUT_PREFIX}"]`).first();

    async function naturalWidth(image: Locator): Promise<number> {
      await image.waitFor({ timeout: 30_000 });
      // Decoding may finish a moment after the element appears.
      return image.evaluate(async (el) => {
        const img = el as unknown as ImageElement;
        await img.decode();
        return img.naturalWidth;
      });
    }

    it('shows the chart under the answer and saves it with one click', async () => {
      await workbench.ask('Plot a chart with python code');
      await workbench.statusIs('Completed');
      // A plot is part of the answer: it sits under the run's answer, not inside a folded step.
      const figure = keptFigure();
      const image = figure.locator('img.file-image');
      assert.ok((await naturalWidth(image)) > 0, 'the chart decoded into a real image');
      assert.match((await image.getAttribute('alt')) ?? '', /Figure 1 made by the code interpreter/);
      // Over Assistants v2 the answer names the figure too (an image_file part): it is drawn once.
      assert.equal(await chat.locator('figure.file-figure').count(), 1, 'the figure is drawn once');
      assert.match((await image.getAttribute('src')) ?? '', /^data:image\/png;base64,/, 'the page loads nothing from the network');
      await figure.scrollIntoViewIfNeeded();
      await workbench.screenshot('chart-under-answer');

      // The name the model saved it under, not the file's id (Responses sends it inline, and the
      // answer cites chart.png with the same bytes).
      const expected = 'chart.png';
      await figure.locator('.file-figure-name').filter({ hasText: expected }).waitFor({ timeout: 30_000 });
      await figure.locator('.file-figure-save').click();
      const saved = await workbench.acceptSaveDialog(expected);
      assert.deepEqual([...saved.subarray(0, 8)], PNG_SIGNATURE);
      await workbench.screenshot('chart-saved');
    });

    it('still shows and saves the chart after a window reload', async () => {
      await workbench.reload();
      await workbench.openAssistantsView();
      chat = workbench.chatFrame();
      // The chart sits under the answer of the run that drew it.
      const figure = keptFigure();
      const image = figure.locator('img.file-image');
      // Responses: the inline chart was kept beside the thread, and the host reads it back from there.
      assert.ok((await naturalWidth(image)) > 0, 'the chart decoded into a real image after the reload');
      assert.match((await image.getAttribute('src')) ?? '', /^data:image\/png;base64,/);
      await figure.scrollIntoViewIfNeeded();
      await workbench.screenshot('chart-after-reload');
      const expected = 'chart.png';
      // Saved once already by the test before: gone, so the dialog asks nothing about replacing it.
      fs.rmSync(path.join(workbench.workspace, expected), { force: true });
      await figure.locator('.file-figure-save').click();
      const saved = await workbench.acceptSaveDialog(expected);
      assert.deepEqual([...saved.subarray(0, 8)], PNG_SIGNATURE);
    });

    if (protocol === 'responses') {
      it('saves the file the answer cites from its footnote chip', async () => {
        const chip = chat.locator('.msg-assistant').last().locator('.footnotes .chip-action');
        await chip.waitFor({ timeout: 30_000 });
        assert.match(await chip.innerText(), /chart\.png/);
        fs.rmSync(path.join(workbench.workspace, 'chart.png'), { force: true });
        // Keyboard reachable: focus and Enter, as a keyboard user would.
        await chip.focus();
        await chip.press('Enter');
        const saved = await workbench.acceptSaveDialog('chart.png');
        assert.deepEqual([...saved.subarray(0, 8)], PNG_SIGNATURE);
      });
    }

    it('still shows, saves and exports a figure and a file the run made after its container expired', async () => {
      const csv = Buffer.from('day,value\nmon,3\ntue,5\n');
      fake.model.enqueue({
        steps: [
          { type: 'code_interpreter', code: 'plot(data); data.to_csv("/mnt/data/x.csv")', logs: 'saved', image: true, imageAsFile: true, files: [{ path: '/mnt/data/x.csv', data: csv }] },
          { type: 'text', text: 'The chart is above; the data is in [x.csv](sandbox:/mnt/data/x.csv).' },
        ],
      });
      await workbench.ask('Keep the data');
      await workbench.statusIs('Completed');
      // The container expires below: the chart and the file must be kept beside the thread first.
      assert.ok((await naturalWidth(keptFigure().locator('img.file-image'))) > 0, 'the chart is drawn from its kept copy');
      // Kept: the answer's link to the file became Save for the kept copy.
      const link = () => chat.locator('.msg-assistant').last().locator('.sandbox-link[role="button"]');
      await link().waitFor({ timeout: 30_000 });

      const expired = fake.store.expireCodeOutputs();
      assert.ok(expired.containers + expired.files > 0, 'the code interpreter\'s files are gone from the server');
      const asked = fake.requests.length;
      await workbench.reload();
      await workbench.openAssistantsView();
      chat = workbench.chatFrame();
      const image = keptFigure().locator('img.file-image');
      assert.ok((await naturalWidth(image)) > 0, 'the chart still shows after its container is gone');
      assert.match((await image.getAttribute('src')) ?? '', /^data:image\/png;base64,/);
      assert.equal(await chat.locator('.file-figure-error').count(), 0, 'no figure says it could not be shown');
      await keptFigure().scrollIntoViewIfNeeded();
      await workbench.screenshot('chart-after-container-expired');
      const downloads = fake.requests.slice(asked).filter((r) => /\/content$/.test(r.path));
      assert.deepEqual(downloads.map((r) => r.path), [], 'nothing is fetched from the server again');

      await link().scrollIntoViewIfNeeded();
      assert.equal(await link().innerText(), 'x.csv');
      await link().click();
      assert.deepEqual(await workbench.acceptSaveDialog('x.csv'), csv, 'the link saves the kept file, under the name the model gave it');

      // Export to Markdown: the chart and the file beside the document, the link pointing at the file.
      await workbench.runCommand('Assistants: Export Thread to Markdown');
      const input = workbench.page.locator('.quick-input-widget input.input');
      await input.waitFor({ timeout: 30_000 });
      let proposed = '';
      for (const deadline = Date.now() + 10_000; !proposed.endsWith('.md') && Date.now() < deadline; ) {
        proposed = await input.inputValue();
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
      await input.press('Enter');
      await workbench.page.locator('.notifications-toasts').filter({ hasText: 'Exported' }).waitFor({ timeout: 30_000 });
      const markdownFile = path.join(workbench.workspace, path.basename(proposed));
      const markdown = fs.readFileSync(markdownFile, 'utf8');
      const folder = `${path.basename(markdownFile, '.md')}-images`;
      assert.ok(markdown.includes(`[x.csv](<${folder}/x.csv>)`), `the link points at the exported file:\n${markdown}`);
      assert.deepEqual(fs.readFileSync(path.join(workbench.workspace, folder, 'x.csv')), csv);
      const chart = /!\[Output 2\]\(<([^>]+\.png)>\)/.exec(markdown)?.[1];
      assert.ok(chart, `the chart is linked:\n${markdown}`);
      assert.deepEqual([...fs.readFileSync(path.join(workbench.workspace, chart)).subarray(0, 8)], PNG_SIGNATURE);
    });

    it('saves files the model named hostilely under names that read as they are and any file system takes', async () => {
      // A Windows device name, and a direction override that shows "Reportvsc.exe" as "Reportexe.csv".
      const files = [
        { path: '/mnt/data/con.csv', data: Buffer.from('device,name\n'), saved: '_con.csv' },
        { path: '/mnt/data/Report\u202Evsc.exe', data: Buffer.from('not,a csv\n'), saved: 'Reportvsc.exe' },
      ];
      fake.model.enqueue({
        steps: [
          { type: 'code_interpreter', code: 'write files', logs: 'saved', files: files.map(({ path: at, data }) => ({ path: at, data })) },
          { type: 'text', text: `Here: [the first](sandbox:${files[0].path}) and [the second](sandbox:${files[1].path}).` },
        ],
      });
      await workbench.ask('Name them badly');
      await workbench.statusIs('Completed');
      // A link becomes Save once its file is kept, and the answer is drawn anew as each one is: act once both are.
      const links = chat.locator('.msg-assistant').last().locator('.sandbox-link[role="button"]');
      await links.nth(files.length - 1).waitFor({ timeout: 30_000 });
      for (const [i, file] of files.entries()) {
        const link = links.nth(i);
        await link.scrollIntoViewIfNeeded();
        await link.click();
        assert.deepEqual(await workbench.acceptSaveDialog(file.saved), file.data, `${JSON.stringify(file.path)} saves as ${file.saved}`);
      }
    });
  });
}
