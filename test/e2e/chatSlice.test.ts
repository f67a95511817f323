import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { FrameLocator } from 'playwright-core';
import type { BackendKind } from '../../src/common/model';
import type { FakeOpenAIServer } from '../fakes/fakeServer';
import type { Workbench } from './workbench';
import { chatSuite } from './workbench';

const protocols: BackendKind[] = ['responses', 'assistantsV2'];

for (const protocol of protocols) {
  describe(`asking in the sidebar over ${protocol} (packaged .vsix, fake server)`, function () {
    this.timeout(180_000);
    let fake: FakeOpenAIServer;
    let workbench: Workbench;
    let chat: FrameLocator;

    const ask = (text: string) => workbench.ask(text);
    const statusIs = (label: string) => workbench.statusIs(label);

    chatSuite(`chat-${protocol}`, protocol, (started) => ({ fake, workbench } = started));

    before(async () => {
      chat = workbench.chatFrame();
    });

    it('streams the answer in and ends "Completed"', async () => {
      fake.model.enqueue({ steps: [{ type: 'text', text: 'Streaming **works**: the answer arrives in pieces.', chunkSize: 2, chunkDelayMs: 150 }] });
      await ask('Does streaming work?');
      // Seen while it is still being written (it streams for about 4 s, long enough on a busy machine)...
      await chat.locator('.msg-assistant.msg-streaming').first().waitFor({ timeout: 30_000 });
      await workbench.screenshot('streaming');
      await statusIs('Completed');
      const answer = chat.locator('.msg-assistant').last();
      assert.match(await answer.innerText(), /Streaming works: the answer arrives in pieces\./);
      assert.equal(await answer.locator('strong').count(), 1, 'Markdown is rendered');
      await workbench.screenshot('completed');
    });

    it('shows a read_file call as a step and an answer that uses its output', async () => {
      await ask('Please read the file src/inventory.ts');
      await statusIs('Completed');
      // Steps of a finished run are folded under its answer: unfold them as a user would.
      await workbench.unfoldLastSteps();
      const step = chat.locator('.step').filter({ hasText: 'read_file' }).last();
      await step.waitFor({ timeout: 30_000 });
      await step.locator('summary').click();
      assert.match(await step.innerText(), /src\/inventory\.ts/);
      assert.match(await step.innerText(), /LOW_STOCK_THRESHOLD/, 'the function output is shown in the step');
      assert.match(await chat.locator('.msg-assistant').last().innerText(), /LOW_STOCK_THRESHOLD/, 'the answer uses the output');
      await workbench.screenshot('read-file-step');
    });

    it('Stop during a slow answer ends "Cancelled"', async () => {
      fake.model.enqueue({ steps: [{ type: 'text', text: 'slow '.repeat(300), chunkSize: 5, chunkDelayMs: 100 }] });
      await ask('Write slowly please');
      await chat.locator('.msg-assistant.msg-streaming').first().waitFor({ timeout: 30_000 });
      await chat.getByRole('button', { name: 'Stop' }).click();
      await statusIs('Cancelled');
      await workbench.screenshot('cancelled');
    });

    it('a run goes on through a window reload and finishes in the new window', async () => {
      const words = Array.from({ length: 40 }, (_, i) => `word${i}`).join(' ');
      fake.model.enqueue({ steps: [{ type: 'text', text: words, chunkSize: 6, chunkDelayMs: 150 }] });
      await ask('Keep going while I reload');
      await chat.locator('.msg-assistant.msg-streaming').first().waitFor({ timeout: 30_000 });
      await workbench.reload();
      await workbench.openAssistantsView();
      chat = workbench.chatFrame();
      await statusIs('Completed');
      // The new window opens at the end of the thread, where the answer is (the transcript draws only what is near the view).
      await chat.locator('.msg-assistant').filter({ hasText: 'word39' }).waitFor({ timeout: 30_000 });
      assert.match(await chat.locator('.msg-assistant').last().innerText(), /word0 word1 .* word39/);
      assert.equal(fake.requests.filter((r) => /\/cancel$/.test(r.path)).length, 1, 'only the Stop of the earlier test cancelled anything');
      await workbench.screenshot('resumed-after-reload');
    });

    if (protocol === 'responses') {
      const threadsDir = () => {
        const [threadFile] = workbench.userDataFiles(/[\\/]threads[\\/]thread-[^\\/]+\.json$/);
        assert.ok(threadFile, 'the thread is kept in the workspace storage');
        return { dir: path.dirname(threadFile), good: fs.readFileSync(threadFile) };
      };
      const damagedNotice = /One thread could not be read/;

      it('moves a thread file damaged while the window is open aside, and says so once with a way to see it', async () => {
        const { dir, good } = threadsDir();
        const damaged = path.join(dir, 'thread-damagedlive.json');
        fs.writeFileSync(damaged, good.subarray(0, 50));
        assert.deepEqual(await workbench.notificationShown(damagedNotice), ['Show Folder']);
        await workbench.screenshot('damaged-thread-notice-live');
        assert.equal(await workbench.notificationsListed(damagedNotice), 1, 'said once');
        assert.equal(fs.existsSync(damaged), false, 'the damaged file left the threads folder');
        assert.equal(fs.readdirSync(path.join(dir, 'corrupt')).filter((name) => name.startsWith('thread-damagedlive-')).length, 1);
      });

      it('moves a thread file damaged while VS Code was closed aside at the next start, says so once with a way to see it, and loads the rest', async () => {
        const { dir, good } = threadsDir();
        const damaged = path.join(dir, 'thread-damaged.json');
        // Written with no window open: a window open sees the file come and moves it aside itself (the test above).
        await workbench.whileClosed(() => fs.writeFileSync(damaged, good.subarray(0, 50)));
        await workbench.openAssistantsView();
        assert.deepEqual(await workbench.notificationShown(damagedNotice), ['Show Folder']);
        await workbench.screenshot('damaged-thread-notice');
        assert.equal(await workbench.notificationsListed(damagedNotice), 1, 'said once');
        assert.equal(fs.existsSync(damaged), false, 'the damaged file left the threads folder');
        assert.equal(fs.readdirSync(path.join(dir, 'corrupt')).filter((name) => name.startsWith('thread-damaged-')).length, 1);
        chat = workbench.chatFrame();
        await chat.locator('.header-thread').filter({ hasText: 'Does streaming work?' }).waitFor({ timeout: 60_000 });
      });
    }

    it('still has the thread after a window reload', async () => {
      await workbench.reload();
      await workbench.openAssistantsView();
      chat = workbench.chatFrame();
      // The transcript draws the messages near the view, which opens at the end of the thread.
      await chat.locator('.msg-user').filter({ hasText: 'Keep going while I reload' }).waitFor({ timeout: 60_000 });
      assert.match(await chat.locator('.header-thread').innerText(), /Does streaming work\?/);
      assert.ok((await chat.locator('.msg-assistant').count()) >= 1);
      assert.equal(await chat.locator('.composer-input textarea').inputValue(), '', 'no question already sent comes back into the composer');
      await workbench.screenshot('after-reload');
    });
  });
}
