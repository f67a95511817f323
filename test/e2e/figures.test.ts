import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { FrameLocator, Locator } from 'playwright-core';
import type { BackendKind } from '../../src/core/model';
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
    let chat: FrameLocator;

    chatSuite(`figures-${protocol}`, protocol, (started) => ({ workbench } = started), { 'assistants.tools.codeInterpreter': true });

    before(async () => {
      chat = workbench.chatFrame();
    });

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
      const figure = chat.locator('.run-block').last().locator('.run-figures figure.file-figure').first();
      const image = figure.locator('img.file-image');
      assert.ok((await naturalWidth(image)) > 0, 'the chart decoded into a real image');
      assert.match((await image.getAttribute('alt')) ?? '', /Figure 1 made by the code interpreter/);
      assert.match((await image.getAttribute('src')) ?? '', /^data:image\/png;base64,/, 'the page loads nothing from the network');
      await figure.scrollIntoViewIfNeeded();
      await workbench.screenshot('chart-under-answer');

      // Assistants v2: the name the model saved it under, not the file's id.
      const expected = protocol === 'responses' ? 'figure-1.png' : 'chart.png';
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
      const figure = chat.locator('.run-block').last().locator('.run-figures figure.file-figure').first();
      const image = figure.locator('img.file-image');
      // Responses: the inline chart was kept beside the thread, and the host reads it back from there.
      assert.ok((await naturalWidth(image)) > 0, 'the chart decoded into a real image after the reload');
      assert.match((await image.getAttribute('src')) ?? '', /^data:image\/png;base64,/);
      await figure.scrollIntoViewIfNeeded();
      await workbench.screenshot('chart-after-reload');
      const expected = protocol === 'responses' ? 'figure-1.png' : 'chart.png';
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
        // Keyboard reachable: focus and Enter, as a keyboard user would.
        await chip.focus();
        await chip.press('Enter');
        const saved = await workbench.acceptSaveDialog('chart.png');
        assert.deepEqual([...saved.subarray(0, 8)], PNG_SIGNATURE);
      });
    }
  });
}
