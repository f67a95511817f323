import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';
import type { AssistantsApi } from '../../src/extension';

const extensionId = 'assistants-vscode.assistants-vscode';
const KEY = process.env.OPENAI_API_KEY ?? 'integration-test-key';

/** A request straight to the fake server's Assistants v2 routes, as another client of the server would make it. */
async function server(method: string, path: string, body?: unknown): Promise<Record<string, unknown>> {
  const response = await fetch(`${process.env.OPENAI_BASE_URL}${path}`, {
    method,
    headers: { authorization: `Bearer ${KEY}`, 'openai-beta': 'assistants=v2', 'content-type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  assert.ok(response.ok, `${method} ${path} answered ${response.status}`);
  return (await response.json()) as Record<string, unknown>;
}

async function until(check: () => Promise<boolean> | boolean, what: string): Promise<void> {
  const deadline = Date.now() + 10_000;
  while (!(await check())) {
    if (Date.now() > deadline) assert.fail(`timed out waiting until ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

/** Replaces the whole text of `document` (unsaved), as typing in the form or the JSON editor does. */
async function replaceText(document: vscode.TextDocument, text: string): Promise<void> {
  const edit = new vscode.WorkspaceEdit();
  edit.replace(document.uri, new vscode.Range(0, 0, document.lineCount, 0), text);
  assert.ok(await vscode.workspace.applyEdit(edit));
}

describe('an Assistants v2 server\'s assistant, edited in place in the form (inside VS Code, fake server)', () => {
  let id: string;
  let uri: vscode.Uri;

  before(async function () {
    if (!process.env.OPENAI_BASE_URL) this.skip();
    await vscode.workspace.getConfiguration('assistants').update('protocol', 'assistantsV2', vscode.ConfigurationTarget.Global);
    id = (await server('POST', '/assistants', { model: 'gpt-4o', name: 'Server Tutor', instructions: 'You are a tutor.', temperature: 0.5 })).id as string;
    uri = vscode.Uri.from({ scheme: 'assistants-server', path: `/${id}/Server Tutor.assistant.json` });
    const api = await vscode.extensions.getExtension<AssistantsApi>(extensionId)!.activate();
    await until(async () => (await api.assistants()).some((a) => a.id === id), 'the server assistant is listed');
  });

  after(async () => {
    await vscode.commands.executeCommand('workbench.action.revertAndCloseActiveEditor');
    await vscode.commands.executeCommand('workbench.action.closeAllEditors');
    await vscode.workspace.getConfiguration('assistants').update('protocol', undefined, vscode.ConfigurationTarget.Global);
  });

  it('Edit Assistant opens the server\'s assistant in the form, its tab named after the assistant (the id in its path)', async () => {
    await vscode.commands.executeCommand('assistants.editAssistant', id);
    await until(
      () => vscode.window.tabGroups.all.some((g) => g.tabs.some((t) => t.input instanceof vscode.TabInputCustom && t.input.uri.toString() === uri.toString() && t.input.viewType === 'assistants.assistantEditor')),
      'the server assistant is open in the form',
    );
    const tab = vscode.window.tabGroups.all.flatMap((g) => g.tabs).find((t) => t.input instanceof vscode.TabInputCustom && t.input.uri.toString() === uri.toString());
    assert.equal(tab?.label, 'Server Tutor.assistant.json');
    const document = await vscode.workspace.openTextDocument(uri);
    const shown = JSON.parse(document.getText()) as Record<string, unknown>;
    assert.equal(shown.name, 'Server Tutor');
    assert.equal(shown.instructions, 'You are a tutor.');
    assert.equal(shown.temperature, 0.5);
  });

  it('saving the document updates the assistant object on the server', async () => {
    const document = await vscode.workspace.openTextDocument(uri);
    const edited = { ...(JSON.parse(document.getText()) as Record<string, unknown>), instructions: 'You are a patient tutor.', top_p: 0.8 };
    await replaceText(document, JSON.stringify(edited, null, 2));
    assert.ok(await document.save(), 'the save succeeded');
    assert.equal(document.isDirty, false);
    const onServer = await server('GET', `/assistants/${id}`);
    assert.equal(onServer.instructions, 'You are a patient tutor.');
    assert.equal(onServer.top_p, 0.8);
    assert.equal(onServer.temperature, 0.5, 'what was not edited stays');
  });

  it('refuses an invalid assistant with its problems and writes nothing to the server', async () => {
    const before = await server('GET', `/assistants/${id}`);
    const invalid = JSON.stringify({ version: 1, name: 'Server Tutor', model: 'gpt-4o', temperature: 7 });
    await assert.rejects(async () => vscode.workspace.fs.writeFile(uri, new TextEncoder().encode(invalid)), /Not saved to the server: temperature: must be <= 2\. Fix it and save again; your edits are kept\./);
    assert.deepEqual(await server('GET', `/assistants/${id}`), before);
  });

  it('a save the server refuses says so in a sentence, and the edits stay in the dirty document', async () => {
    await server('DELETE', `/assistants/${id}`);
    const document = await vscode.workspace.openTextDocument(uri);
    const edited = JSON.stringify({ ...(JSON.parse(document.getText()) as Record<string, unknown>), instructions: 'Edits I must not lose.' }, null, 2);
    await assert.rejects(async () => vscode.workspace.fs.writeFile(uri, new TextEncoder().encode(edited)), /The server did not take the change: .+ Your edits are kept/);
    await replaceText(document, edited);
    assert.equal(await document.save(), false, 'the save failed');
    assert.equal(document.isDirty, true, 'the document is still dirty');
    assert.equal(document.getText(), edited, 'the edits are kept');
  });
});
