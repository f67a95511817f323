import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { FrameLocator } from 'playwright-core';
import type { Workbench } from './workbench';
import { chatSuite } from './workbench';

/**
 * Switching `assistants.protocol` while a thread is open: each protocol keeps its own server-side
 * thread, so the next question starts a new thread; the chat says so before the user asks.
 */
describe('switching the protocol setting with a thread open (packaged .vsix, fake server)', function () {
  this.timeout(180_000);
  let workbench: Workbench;
  let chat: FrameLocator;

  chatSuite('protocol-switch', 'responses', (started) => ({ workbench } = started));

  before(async () => {
    chat = workbench.chatFrame();
    await workbench.setSideBarWidth(300);
  });

  /** Sets the protocol in the workspace's settings, as a user editing .vscode/settings.json would. */
  function setProtocol(protocol: string): void {
    const folder = path.join(workbench.workspace, '.vscode');
    fs.mkdirSync(folder, { recursive: true });
    fs.writeFileSync(path.join(folder, 'settings.json'), JSON.stringify({ 'assistants.protocol': protocol }, null, 2));
  }

  const notice = () => chat.locator('.notice').filter({ hasText: /next question starts a new thread/ });

  it('says that the next question starts a new thread, before it is asked, and that switching back keeps this one', async () => {
    await workbench.ask('A question under Responses');
    await workbench.statusIs('Completed');
    assert.equal(await notice().count(), 0, 'nothing to say while the protocols agree');
    setProtocol('assistantsV2');
    await notice().waitFor({ timeout: 30_000 });
    assert.match(await notice().innerText(), /made with the Responses API.*now Assistants v2.*Set the protocol back to Responses/s);
    await workbench.screenshotSideBar('protocol-switched-300px');
    setProtocol('responses');
    await notice().waitFor({ state: 'detached', timeout: 30_000 });
  });

  it('goes away once the question has started its new thread', async () => {
    setProtocol('assistantsV2');
    await notice().waitFor({ timeout: 30_000 });
    await workbench.ask('A question under Assistants v2');
    await workbench.statusIs('Completed');
    await notice().waitFor({ state: 'detached', timeout: 30_000 });
    assert.equal(await chat.locator('.msg-user').count(), 1, 'the new thread holds the new question alone');
  });
});
