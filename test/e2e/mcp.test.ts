import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { FrameLocator } from 'playwright-core';
import type { FakeOpenAIServer } from '../fakes/fakeServer';
import { DEMO_MCP_URL } from '../fakes/hostedMcp';
import { repoRoot } from '../support/codeServer';
import type { Workbench } from './workbench';
import { chatSuite } from './workbench';

describe('MCP servers: a hosted one on Responses and a local stdio one, each asked, approved and shown as steps (packaged .vsix, fake server)', function () {
  this.timeout(180_000);
  let workbench: Workbench;
  let fake: FakeOpenAIServer;
  let chat: FrameLocator;

  chatSuite('mcp', 'responses', (started) => ({ workbench, fake } = started));

  before(async () => {
    chat = workbench.chatFrame();
    fs.writeFileSync(
      path.join(workbench.workspace, '.assistants', 'notes.assistant.json'),
      JSON.stringify({
        version: 1,
        name: 'Notes keeper',
        model: 'gpt-4.1',
        tools: [
          { type: 'mcp', server_label: 'notes', server_url: DEMO_MCP_URL, require_approval: 'never' },
          { type: 'mcp', server_label: 'desk', 'x-vscode': { transport: 'stdio', command: process.execPath, args: [path.join(repoRoot, 'test', 'fakes', 'mcp', 'notesServer.mjs')] } },
        ],
      }),
    );
    await workbench.runCommand('Assistants: Select Assistant');
    const row = workbench.page.locator('.quick-input-list .monaco-list-row').filter({ hasText: 'Notes keeper' }).first();
    await row.waitFor({ timeout: 30_000 });
    await row.click();
    await chat.locator('.chat-header').filter({ hasText: 'Notes keeper' }).waitFor({ timeout: 30_000 });
  });

  it('asks before starting the repository\'s local server, then a hosted tool call waits for approval under its step and runs once allowed', async () => {
    // The repository's file starts a command: asked first, in a modal, before the question is sent.
    const input = chat.locator('.composer-input textarea');
    await input.click();
    await input.fill('call write_note with {"title":"plan","text":"Ship on Friday."}');
    await input.press('Enter');
    const dialog = workbench.page.locator('.monaco-dialog-box');
    await dialog.waitFor({ timeout: 60_000 });
    assert.match(await dialog.innerText(), /wants to start the MCP server "desk"/);
    assert.match(await dialog.innerText(), /notesServer\.mjs/);
    await workbench.screenshot('local-server-start-asked');
    await dialog.locator('.monaco-button').filter({ hasText: 'Start Server' }).click();

    // A repository's hosted tools always ask, though its file says "never".
    const card = chat.locator('.run-block .step .approval').filter({ hasText: 'on the MCP server notes' });
    await card.waitFor({ timeout: 60_000 });
    assert.match(await card.innerText(), /write_note/);
    assert.match(await card.innerText(), /Ship on Friday\./);
    assert.equal(fake.mcp.calls.length, 0, 'nothing ran before the answer');
    await workbench.screenshot('hosted-mcp-asked');
    await card.locator('vscode-button').filter({ hasText: 'Allow once' }).click();
    await workbench.statusIs('Completed');
    assert.deepEqual(fake.mcp.calls.map((c) => [c.name, c.args]), [['write_note', { title: 'plan', text: 'Ship on Friday.' }]]);
    assert.match(await chat.locator('.msg-assistant').last().innerText(), /write_note returned: Saved the note "plan"\./);
    const approvalBody = JSON.parse(JSON.stringify(fake.requests.filter((r) => r.method === 'POST' && r.path === '/responses').at(-1)?.body)) as { input: { type: string; approve: boolean }[]; tools: { type: string; require_approval?: string }[] };
    assert.deepEqual(approvalBody.input.map((i) => [i.type, i.approve]), [['mcp_approval_response', true]]);
    assert.equal(approvalBody.tools.find((t) => t.type === 'mcp')?.require_approval, 'always');
    await workbench.unfoldLastSteps();
    const call = chat.locator('.run-block').last().locator('.step').filter({ hasText: 'notes/write_note' }).filter({ hasText: 'Output' });
    await call.first().waitFor({ timeout: 30_000 });
    if (!(await call.first().evaluate((el) => (el as unknown as { open: boolean }).open))) await call.first().locator('summary').click();
    assert.match(await call.first().innerText(), /Saved the note "plan"\./);
    await workbench.screenshot('hosted-mcp-call-step');
  });

  it('a local server\'s writing tool asks on the same card and its output shows in the step', async () => {
    await workbench.ask('call mcp_desk_write_note with {"title":"todo","text":"Water the plants."}');
    const card = chat.locator('.run-block .step .approval').filter({ hasText: 'on the MCP server desk' });
    await card.waitFor({ timeout: 60_000 });
    assert.match(await card.innerText(), /mcp_desk_write_note/);
    await workbench.screenshot('local-mcp-asked');
    await card.locator('vscode-button').filter({ hasText: 'Allow once' }).click();
    await workbench.statusIs('Completed');
    assert.match(await chat.locator('.msg-assistant').last().innerText(), /Saved the note "todo"\./);
    // Read-only: runs without a card, and reads what the write stored in the server.
    await workbench.ask('call mcp_desk_read_note with {"title":"todo"}');
    await workbench.statusIs('Completed');
    assert.match(await chat.locator('.msg-assistant').last().innerText(), /Water the plants\./);
    await workbench.unfoldLastSteps();
    const step = chat.locator('.run-block').last().locator('.step').filter({ hasText: 'mcp_desk_read_note' }).first();
    await step.waitFor({ timeout: 30_000 });
    if (!(await step.evaluate((el) => (el as unknown as { open: boolean }).open))) await step.locator('summary').click();
    assert.match(await step.innerText(), /Water the plants\./);
    await workbench.screenshot('local-mcp-read-step');
  });

  it('a server whose secret is not set says so with Set MCP Secret, which asks for that very secret; then the question goes through with it', async () => {
    await workbench.sendOffered();
    const vault = 'https://vault.fake.test/mcp';
    const key = 'FAKE-vault-key-notArealKEY';
    fake.mcp.add(vault, {
      tools: [{ name: 'open_vault', description: 'Says what the vault holds.', input_schema: { type: 'object', properties: {} }, annotations: { readOnlyHint: true } }],
      call: () => ({ output: 'The vault holds 3 keys.' }),
      requiredHeaders: { 'x-vault-key': key },
    });
    const file = path.join(workbench.workspace, '.assistants', 'notes.assistant.json');
    const assistant = JSON.parse(fs.readFileSync(file, 'utf8')) as { tools: unknown[] };
    assistant.tools.push({ type: 'mcp', server_label: 'vault', server_url: vault, headers: { 'X-Vault-Key': '${secret:vault_key}' } });
    fs.writeFileSync(file, JSON.stringify(assistant));
    const question = 'call open_vault with {}';
    const input = chat.locator('.composer-input textarea');
    const notice = chat.locator('.notice').filter({ hasText: 'The secret "vault_key" that the MCP server vault uses is not set for it' });
    // The file is read again once its change is seen: ask until the notice says the secret is missing.
    for (let attempt = 0; attempt < 10 && (await notice.count()) === 0; attempt++) {
      await input.click();
      await input.fill(question);
      await input.press('Enter');
      await notice.waitFor({ timeout: 3_000 }).catch(() => undefined);
    }
    await notice.waitFor({ timeout: 5_000 });
    assert.equal(await chat.locator('.msg-user').filter({ hasText: question }).count(), 0, 'nothing was sent without the secret');
    await workbench.screenshotSideBar('mcp-secret-missing');
    await notice.getByRole('button', { name: 'Set MCP Secret' }).click();
    // No list to pick from: the box asks for the secret the notice named, for the server that needs it.
    const box = workbench.page.locator('.quick-input-widget');
    const password = box.locator('input[type="password"]');
    await password.waitFor({ timeout: 30_000 });
    assert.match(await box.innerText(), /Set MCP Secret: vault_key/);
    assert.match(await box.innerText(), /for the MCP server vault, sent only to https:\/\/vault\.fake\.test/);
    await password.fill(key);
    await password.press('Enter');
    await workbench.notificationShown(/The secret vault_key is set for https:\/\/vault\.fake\.test\./);

    await workbench.ask(question);
    const card = chat.locator('.run-block .step .approval').filter({ hasText: 'on the MCP server vault' });
    await card.waitFor({ timeout: 60_000 });
    await card.locator('vscode-button').filter({ hasText: 'Allow once' }).click();
    await workbench.statusIs('Completed');
    assert.match(await chat.locator('.msg-assistant').last().innerText(), /The vault holds 3 keys\./);
    assert.equal(fake.mcp.calls.at(-1)?.headers['X-Vault-Key'] ?? fake.mcp.calls.at(-1)?.headers['x-vault-key'], key, 'the secret went with the request to its server');
  });
});
