/**
 * A real VS Code (code-server) with the packaged extension installed the way a user installs it,
 * driven by Debian's Chromium through playwright-core.
 */
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type { Browser, FrameLocator, Locator, Page } from 'playwright-core';
import { chromium } from 'playwright-core';
import type { BackendKind } from '../../src/common/model';
import { FakeOpenAIServer } from '../fakes/fakeServer';
import type { CodeServer } from '../support/codeServer';
import { chromiumArgs, chromiumPath, ensureCodeServer, installVsix, repoRoot, startCodeServer } from '../support/codeServer';

export const extensionId = 'assistants-vscode.assistants-vscode';

export interface WorkbenchOptions {
  settings?: Record<string, unknown>;
  /** Environment of the server process, inherited by the extension host. */
  env?: NodeJS.ProcessEnv;
}

export class Workbench {
  private shot = 0;

  private constructor(
    readonly page: Page,
    private readonly browser: Browser,
    private readonly server: CodeServer,
    private readonly root: string,
    readonly workspace: string,
    private readonly artifacts: string,
  ) {}

  static async start(name: string, options: WorkbenchOptions = {}): Promise<Workbench> {
    ensureCodeServer();
    const vsix = process.env.ASSISTANTS_VSIX ?? path.join(repoRoot, 'dist', 'assistants-vscode.vsix');
    if (!fs.existsSync(vsix)) throw new Error(`No packaged extension at ${vsix}: run npm run package first.`);
    const root = fs.mkdtempSync(path.join(os.tmpdir(), 'assistants-e2e-'));
    const userDataDir = path.join(root, 'user-data');
    const extensionsDir = path.join(root, 'extensions');
    const workspace = path.join(root, 'workspace');
    fs.cpSync(path.join(repoRoot, 'sample-workspace'), workspace, { recursive: true });
    fs.mkdirSync(path.join(userDataDir, 'User'), { recursive: true });
    fs.writeFileSync(
      path.join(userDataDir, 'User', 'settings.json'),
      JSON.stringify({ 'workbench.startupEditor': 'none', 'workbench.tips.enabled': false, 'security.workspace.trust.enabled': false, 'workbench.secondarySideBar.defaultVisibility': 'hidden', 'chat.disableAIFeatures': true, ...options.settings }, null, 2),
    );
    const artifacts = path.join(process.env.ASSISTANTS_ARTIFACTS ?? path.join(repoRoot, 'test-results', 'e2e'), name);
    fs.rmSync(artifacts, { recursive: true, force: true });
    fs.mkdirSync(artifacts, { recursive: true });
    const tmp = path.join(root, 'tmp');
    fs.mkdirSync(tmp);
    // A start that fails half-way closes what it opened: a failed before-all hook has nothing to close.
    let server: CodeServer | undefined;
    let browser: Browser | undefined;
    try {
      installVsix(vsix, extensionsDir, userDataDir);
      server = await startCodeServer({ userDataDir, extensionsDir, logFile: path.join(artifacts, 'code-server.log'), env: { TMPDIR: tmp, ...options.env } });
      browser = await chromium.launch({ executablePath: chromiumPath(), args: chromiumArgs, headless: true });
      const page = await browser.newPage({ viewport: { width: 1280, height: 860 } });
      await page.goto(`${server.url}/?folder=${encodeURIComponent(workspace)}`);
      await page.locator('.monaco-workbench').waitFor({ timeout: 60_000 });
      return new Workbench(page, browser, server, root, workspace, artifacts);
    } catch (error) {
      await browser?.close().catch(() => undefined);
      await server?.stop();
      fs.rmSync(root, { recursive: true, force: true });
      throw error;
    }
  }

  /** Files under the server's user-data folder (the extension's workspace storage, say) whose path matches `pattern`. */
  userDataFiles(pattern: RegExp): string[] {
    const userData = path.join(this.root, 'user-data');
    return (fs.readdirSync(userData, { recursive: true }) as string[]).map((name) => path.join(userData, name)).filter((file) => pattern.test(file));
  }

  /**
   * Copies the server's logs (the extension host's, the extension's own output channel among them)
   * into the test artifacts, under `logs/`: what a failed test leaves to explain it.
   */
  keepLogs(): void {
    const userData = path.join(this.root, 'user-data');
    for (const file of this.userDataFiles(/[\\/]logs[\\/].*\.log$/)) {
      const target = path.join(this.artifacts, 'logs', path.relative(path.join(userData, 'logs'), file));
      fs.mkdirSync(path.dirname(target), { recursive: true });
      fs.copyFileSync(file, target);
    }
  }

  /** Saves a numbered screenshot of the whole window as a test artifact. */
  async screenshot(label: string): Promise<string> {
    const file = path.join(this.artifacts, `${String(++this.shot).padStart(2, '0')}-${label}.png`);
    await this.page.screenshot({ path: file });
    return file;
  }

  /** Saves a numbered screenshot of the side bar alone (the chat as a user sees it), as a test artifact. */
  async screenshotSideBar(label: string): Promise<string> {
    const file = path.join(this.artifacts, `${String(++this.shot).padStart(2, '0')}-${label}.png`);
    await this.page.locator('.part.sidebar').screenshot({ path: file });
    return file;
  }

  /** Drags the side bar's edge, as a user would, until the side bar is `px` wide (within a few pixels). */
  async setSideBarWidth(px: number): Promise<number> {
    const sideBar = this.page.locator('.part.sidebar');
    for (let attempt = 0; attempt < 3; attempt++) {
      const box = await sideBar.boundingBox();
      if (!box) throw new Error('The side bar is not shown.');
      if (Math.abs(box.width - px) <= 2) return box.width;
      const y = box.y + box.height / 2;
      await this.page.mouse.move(box.x + box.width, y);
      await this.page.mouse.down();
      await this.page.mouse.move(box.x + px, y, { steps: 8 });
      await this.page.mouse.up();
      await this.page.waitForTimeout(300);
    }
    return (await sideBar.boundingBox())?.width ?? 0;
  }

  /**
   * Shows the Assistants view container. Clicking its icon when it is already shown would hide it
   * (a reloaded window restores it by itself), so click only while it is not the checked one.
   */
  async openAssistantsView(): Promise<void> {
    await this.openViewContainer('Assistants', 30_000);
  }

  /**
   * Shows the Testing view container. VS Code adds its icon only once a test controller is
   * registered: in a new window that is after the extension host started and the extension
   * activated on finding a test file, so its icon is awaited longer than the window's own.
   */
  async openTestingView(): Promise<void> {
    await this.openViewContainer('Testing', 90_000);
  }

  /** Shows the view container whose activity bar icon is labelled `label`, once the icon is there (`appearMs`); clicks only while it is not the checked one. */
  private async openViewContainer(label: string, appearMs: number): Promise<void> {
    const entry = this.page.locator('.activitybar .action-item').filter({ has: this.page.locator(`a.action-label[aria-label^="${label}"]`) });
    await entry.waitFor({ timeout: appearMs });
    const deadline = Date.now() + 30_000;
    while (!/\bchecked\b/.test((await entry.getAttribute('class')) ?? '')) {
      if (Date.now() > deadline) throw new Error(`The ${label} view container did not open.`);
      await entry.locator('a.action-label').click();
      await this.page.waitForTimeout(500);
    }
  }

  /**
   * Right-clicks `target` and picks `item` from its context menu. The menu takes a moment to settle
   * after it shows; a click before that can land on nothing.
   */
  async contextMenu(target: Locator, item: string, screenshot?: string): Promise<void> {
    await target.click({ button: 'right' });
    const entry = this.page.locator('.monaco-menu .action-item').filter({ hasText: item }).first();
    await entry.waitFor({ timeout: 30_000 });
    await this.page.waitForTimeout(300);
    if (screenshot) await this.screenshot(screenshot);
    await entry.click();
  }

  /** The pane of the view `title` in the open view container: its header and its content. */
  viewPane(title: string): Locator {
    return this.page.locator('.pane').filter({ has: this.page.locator('.pane-header h3.title', { hasText: new RegExp(`^${title}$`) }) });
  }

  /** The Threads view's row of the thread whose title begins with `title` (the row's accessible name starts with the whole title; its label may be cut short). */
  threadRow(title: string): Locator {
    return this.viewPane('Threads').getByRole('treeitem', { name: new RegExp(`^${title.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}`) });
  }

  /**
   * Picks the first row of the open quick pick that shows `label`, once it is there. The pointer is
   * taken off the list first: left where an earlier pick clicked, it rests on a row of the next list,
   * whose description's hover then covers the row (a click at its middle lands on the hover, for good).
   */
  async pick(label: string | RegExp): Promise<void> {
    const row = this.page.locator('.quick-input-list .monaco-list-row').filter({ hasText: label }).first();
    await row.waitFor({ timeout: 30_000 });
    await this.page.mouse.move(0, 0);
    await row.click();
  }

  /** Expands the view `title` of the open view container (a collapsed view's pane shows only its header). */
  async expandView(title: string): Promise<void> {
    const header = this.page.locator('.pane-header').filter({ has: this.page.locator('h3.title', { hasText: new RegExp(`^${title}$`) }) }).first();
    await header.waitFor({ timeout: 30_000 });
    if ((await header.getAttribute('aria-expanded')) !== 'true') await header.click();
  }

  /** The chat webview's document (two nested iframes). */
  chatFrame(): FrameLocator {
    // A view shown again gets a webview whose URL names no purpose, as a custom editor's does: that one
    // is told apart by where it is, left of the editor area (in the side bar).
    const ours = `iframe.webview.ready[src*="extensionId=${extensionId}"]`;
    return this.page.frameLocator(`${ours}[src*="purpose=webviewView"], ${ours}:not([src*="purpose="]):left-of(.part.editor)`).frameLocator('iframe#active-frame');
  }

  /** The document of the assistant form shown in the editor area (a custom editor's webview: its URL names no purpose). */
  formFrame(): FrameLocator {
    return this.page.frameLocator(`iframe.webview.ready[src*="extensionId=${extensionId}"]:not([src*="purpose="])`).frameLocator('iframe#active-frame');
  }

  /**
   * Types a message into the chat's composer and sends it with Enter, as a user would, once Send is
   * offered: the composer shows before the host's state is in, and Enter sends nothing until then.
   */
  async ask(text: string): Promise<void> {
    const chat = this.chatFrame();
    await this.sendOffered();
    const input = chat.locator('.composer-input textarea');
    await input.click();
    await input.fill(text);
    await input.press('Enter');
    // The composer clears only once the host accepted the message.
    await chat.locator('.msg-user').filter({ hasText: text }).first().waitFor({ timeout: 30_000 });
  }

  /**
   * Waits until the chat offers Send: the host's state is in (until then Send reads 'Loading the
   * chat…', and no assistant has been made active yet) and no run is going on.
   */
  async sendOffered(): Promise<void> {
    await this.chatFrame().locator('.composer vscode-button:not([disabled])').filter({ hasText: 'Send' }).waitFor({ timeout: 60_000 });
  }

  /** Waits until the run's status line shows `label`. */
  async statusIs(label: string): Promise<void> {
    await this.chatFrame().locator('.status-label').filter({ hasText: label }).waitFor({ timeout: 60_000 });
  }

  /**
   * Waits for a notification whose text matches `text`: as a toast, or else in the Notification Center.
   * VS Code shows no toast for a notification that comes right after several others (its spam guard),
   * and hides a toast after some seconds; either way it keeps the notification in the center, where a
   * user finds it. Resolves to the names of the notification's buttons.
   */
  async notificationShown(text: RegExp, timeoutMs = 60_000): Promise<string[]> {
    const buttons = (notification: Locator) => notification.locator('.monaco-button').allInnerTexts();
    const toast = this.page.locator('.notification-toast').filter({ hasText: text }).first();
    if (await toast.waitFor({ timeout: 15_000 }).then(() => true, () => false)) return buttons(toast);
    await this.runCommand('Notifications: Show Notifications');
    const listed = this.page.locator('.notifications-center .notification-list-item').filter({ hasText: text }).first();
    await listed.waitFor({ timeout: timeoutMs });
    // Clicked, it is expanded: its buttons show however long its text.
    await listed.click();
    const names = await buttons(listed);
    await this.runCommand('Notifications: Hide Notifications');
    return names;
  }

  /** How many notifications whose text matches `text` the Notification Center lists (every one this window showed and nobody closed). */
  async notificationsListed(text: RegExp): Promise<number> {
    await this.runCommand('Notifications: Show Notifications');
    await this.page.locator('.notifications-center').waitFor();
    const count = await this.page.locator('.notifications-center .notification-list-item').filter({ hasText: text }).count();
    await this.runCommand('Notifications: Hide Notifications');
    return count;
  }

  /** Unfolds the steps under the last answer (a finished run's steps are folded). */
  async unfoldLastSteps(): Promise<void> {
    await this.chatFrame().locator('.run-block').last().locator('vscode-collapsible').click({ position: { x: 30, y: 10 } });
  }

  /** Runs a command from the Command Palette, as a user would. */
  async runCommand(title: string): Promise<void> {
    await this.page.locator('.part.editor').click();
    await this.page.keyboard.press('F1');
    const input = this.page.locator('.quick-input-widget input');
    await input.fill(`>${title}`);
    // The palette lists matches by name, not by how well they match: "Continue in New Thread" comes before
    // "New Thread". Run the command whose whole name is the title.
    const name = new RegExp(`^(Assistants: )?${title.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}$`);
    await this.page.locator('.quick-input-list .monaco-list-row').filter({ has: this.page.locator('.label-name', { hasText: name }) }).first().click();
    // A pick the command opens comes where the palette was: the pointer left on it would hover (and cover) one of its rows.
    await this.page.mouse.move(0, 0);
  }

  /**
   * Accepts VS Code's save dialog as proposed, once it proposes `expectedName` in the workspace, and waits for
   * the file on disk and the "Saved" notification. Returns the saved bytes.
   */
  async acceptSaveDialog(expectedName: string): Promise<Buffer> {
    const input = this.page.locator('.quick-input-widget input.input');
    await input.waitFor({ timeout: 30_000 });
    // The dialog fills in the proposed path a moment after it opens.
    let proposed = '';
    for (const deadline = Date.now() + 10_000; !proposed.endsWith(`/${expectedName}`) && Date.now() < deadline; ) {
      proposed = await input.inputValue();
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    await this.screenshot(`save-dialog-${expectedName}`);
    assert.ok(proposed.endsWith(`/${expectedName}`), `the dialog proposes ${expectedName} in the workspace, not "${proposed}"`);
    await input.press('Enter');
    const file = path.join(this.workspace, expectedName);
    const deadline = Date.now() + 30_000;
    while (!fs.existsSync(file) && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 200));
    assert.ok(fs.existsSync(file), `${expectedName} was written to the workspace`);
    await this.page.locator('.notifications-toasts').filter({ hasText: `Saved ${expectedName}` }).waitFor({ timeout: 30_000 });
    return fs.readFileSync(file);
  }

  /**
   * Another window of the same server, with its own extension host: on no folder (VS Code's empty
   * window), whose storage every empty window shares. (A second window on the same folder gets a
   * workspace storage of its own.) Close it with `closeWindow`; `close` of the first closes all.
   */
  async openEmptyWindow(): Promise<Workbench> {
    return this.openWindow('ew=true');
  }

  /** Another window of the same server on what `query` names (`workspace=<file>` for a multi-root workspace); close it with `closeWindow`. */
  async openWindow(query: string): Promise<Workbench> {
    const page = await this.browser.newPage({ viewport: { width: 1280, height: 860 } });
    await page.goto(`${new URL(this.page.url()).origin}/?${query}`);
    await page.locator('.monaco-workbench').waitFor({ timeout: 60_000 });
    return new Workbench(page, this.browser, this.server, this.root, this.workspace, this.artifacts);
  }

  /**
   * Another window of the same server on the multi-root workspace `file`, once its Explorer lists
   * every folder of `folders` (their names). Under load VS Code for the web may open such a workspace
   * with none of its folders ("No Folder Opened", the window's title naming the workspace) and not
   * look for them again; the window is reloaded then, as a user would, until they are there.
   */
  async openWorkspaceWindow(file: string, folders: string[]): Promise<Workbench> {
    const window = await this.openWindow(`workspace=${encodeURIComponent(file)}`);
    const rows = folders.map((name) => window.page.locator('.explorer-folders-view .monaco-list-row').filter({ hasText: new RegExp(`^\\s*${name}\\s*$`, 'i') }));
    const listed = async (timeout: number) => {
      for (const row of rows) if (!(await row.first().waitFor({ timeout }).then(() => true, () => false))) return false;
      return true;
    };
    for (let reloads = 0; !(await listed(30_000)); reloads++) {
      await window.screenshot('workspace-without-folders');
      if (reloads === 3) throw new Error(`The window on ${path.basename(file)} did not open its folders ${folders.join(', ')}.`);
      await window.reload();
    }
    return window;
  }

  /** Closes this window alone (one `openEmptyWindow` opened). */
  async closeWindow(): Promise<void> {
    await this.page.close();
  }

  /**
   * Closes this window and, once its extension host has exited (so nothing of the extension runs),
   * does `work` and opens the window again on its folder: what a user sees at the next start after
   * something changed while VS Code was closed. Throws when the extension host outlives the close by 30 s.
   */
  async whileClosed(work: () => void | Promise<void>): Promise<void> {
    const url = this.page.url();
    await this.page.goto('about:blank');
    const deadline = Date.now() + 30_000;
    while (this.server.extensionHosts().length > 0) {
      if (Date.now() > deadline) throw new Error('The extension host was still running 30 s after its window closed.');
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    await work();
    await this.page.goto(url);
    await this.page.locator('.monaco-workbench').waitFor({ timeout: 60_000 });
  }

  async reload(): Promise<void> {
    await this.page.reload();
    await this.page.locator('.monaco-workbench').waitFor({ timeout: 60_000 });
  }

  async close(): Promise<void> {
    await this.browser.close().catch(() => undefined);
    await this.server.stop();
    fs.rmSync(this.root, { recursive: true, force: true });
  }
}

/** A workbench whose extension talks to a fresh fake server over `protocol`, with the chat open. */
export async function startChat(
  name: string,
  protocol: BackendKind,
  settings: Record<string, unknown> = {},
): Promise<{ fake: FakeOpenAIServer; workbench: Workbench }> {
  const fake = await FakeOpenAIServer.start({ timeScale: 0.5 });
  let workbench: Workbench | undefined;
  try {
    workbench = await Workbench.start(name, {
      settings: { 'assistants.protocol': protocol, ...settings },
      env: { OPENAI_BASE_URL: fake.baseUrl, OPENAI_API_KEY: 'e2e-test-key' },
    });
    await workbench.openAssistantsView();
    // The chat's state is in: the assistant it shows is the active one from now on, whatever files a test adds.
    await workbench.sendOffered();
    return { fake, workbench };
  } catch (error) {
    // The caller's before-all hook failed and gets neither: close both here, or mocha never exits.
    await workbench?.screenshot('failed-start').catch(() => undefined);
    await workbench?.close();
    await fake.close();
    throw error;
  }
}

/**
 * The hooks of a suite that chats with the extension over `protocol`: before its tests, a fresh
 * fake server and workbench with the chat open (`startChat`), handed to `started`; a screenshot of
 * each failed test; both closed after its tests.
 */
export function chatSuite(
  name: string,
  protocol: BackendKind,
  started: (suite: { fake: FakeOpenAIServer; workbench: Workbench }) => void,
  settings: Record<string, unknown> = {},
): void {
  let suite: { fake: FakeOpenAIServer; workbench: Workbench } | undefined;
  screenshotOnFailure(() => suite?.workbench);
  before(async () => {
    suite = await startChat(name, protocol, settings);
    started(suite);
  });
  after(async () => {
    await suite?.workbench.close();
    await suite?.fake.close();
  });
}

/** Registers an `afterEach` that keeps a screenshot of the window and the server's logs when a test failed. */
export function screenshotOnFailure(workbench: () => Workbench | undefined): void {
  afterEach(async function () {
    if (this.currentTest?.state !== 'failed') return;
    await workbench()?.screenshot(`failed-${this.currentTest.title.replace(/[^a-z0-9]+/gi, '-').slice(0, 60)}`);
    workbench()?.keepLogs();
  });
}

/**
 * The JSON that `file` holds, or undefined while it holds none whole: it is missing, or being
 * written (a new file is created empty, and VS Code's save empties a file before writing it), so a
 * test that waits for a file's content reads it as not there yet instead of failing on half of it.
 */
export function writtenJson<T>(file: string): T | undefined {
  try {
    return JSON.parse(fs.readFileSync(file, 'utf8')) as T;
  } catch {
    return undefined;
  }
}
