import * as assert from 'node:assert/strict';
import * as path from 'node:path';
import * as vscode from 'vscode';
import { api, ask, extensionId, until } from './extensionApi';

type ShowWarning = typeof vscode.window.showWarningMessage;

describe('a server of the workspace\'s .vscode/mcp.json (inside VS Code)', () => {
  const root = () => vscode.workspace.workspaceFolders![0].uri;
  const mcpJson = () => vscode.Uri.joinPath(root(), '.vscode', 'mcp.json');
  const original = vscode.window.showWarningMessage;
  /** The start questions the extension asked (its modal), answered with `answer`. */
  const asked: { message: string; detail?: string }[] = [];
  /** The other warnings it showed (a server left out). */
  const warnings: string[] = [];
  let answer: string | undefined = 'Start Server';

  before(async function () {
    if (!process.env.OPENAI_BASE_URL) this.skip();
    const fixture = path.join(vscode.extensions.getExtension(extensionId)!.extensionPath, 'test', 'fakes', 'mcp', 'notesServer.mjs');
    // JSONC, as VS Code writes it: a comment and trailing commas; the fixture through ${workspaceFolder}-free absolute paths.
    const text = `{
      // The repository's notes server (stdio).
      "servers": {
        "notes": { "type": "stdio", "command": ${JSON.stringify(process.execPath)}, "args": [${JSON.stringify(fixture)}], },
        "docker": { "type": "docker", "image": "notes" },
      },
    }`;
    await vscode.workspace.fs.writeFile(mcpJson(), new TextEncoder().encode(text));
    // The extension's start question is a modal the suite cannot click: answer it here, as the user would.
    const window = vscode.window as { showWarningMessage: ShowWarning };
    window.showWarningMessage = (async (message: string, ...rest: unknown[]) => {
      const options = rest[0] as vscode.MessageOptions | undefined;
      if (options?.modal && /wants to start the MCP server/.test(message)) {
        asked.push({ message, detail: options.detail });
        return answer;
      }
      warnings.push(message);
      return (original as (...args: unknown[]) => Thenable<unknown>).call(vscode.window, message, ...rest);
    }) as ShowWarning;
    assert.notEqual(vscode.window.showWarningMessage, original, 'the modal can be answered by the suite');
  });

  after(async () => {
    (vscode.window as { showWarningMessage: ShowWarning }).showWarningMessage = original;
    await vscode.workspace.fs.delete(mcpJson()).then(undefined, () => undefined);
  });

  it('asks once before starting it, naming .vscode/mcp.json and the command; then its tools are offered and callable, a write after approval', async () => {
    const assistants = await api();
    await vscode.commands.executeCommand('assistants.newThread');
    const read = await ask(assistants, 'call mcp_notes_read_note with {"title":"launch"}');
    assert.match(read, /The launch is on March 3\./, 'the read tool was offered to the model and answered through the server');
    assert.equal(asked.length, 1);
    assert.equal(asked[0].message, 'This workspace\'s .vscode/mcp.json wants to start the MCP server "notes". Start it?');
    assert.match(asked[0].detail ?? '', /^It runs .*notesServer\.mjs, with your permissions\./);
    assert.ok(warnings.includes('The MCP server "docker" of .vscode/mcp.json has type "docker", which this extension does not run (it runs stdio, http and sse); it is left out.'), warnings.join('\n'));

    const sent = assistants.sendMessage('call mcp_notes_write_note with {"title":"plan","text":"Ship on Friday."}');
    const approval = await until(() => assistants.approvals()[0], 'the approval card');
    assert.deepEqual([approval.name, approval.server, approval.writes], ['mcp_notes_write_note', 'notes', true]);
    assistants.answerApproval(approval.callId, 'once');
    await sent;
    await assistants.whenIdle();
    assert.match(assistants.currentThread()?.lastMessageText ?? '', /Saved the note "plan"\./);
    assert.match(await ask(assistants, 'call mcp_notes_read_note with {"title":"plan"}'), /Ship on Friday\./, 'the same server process kept the note');
    assert.equal(asked.length, 1, 'asked once for the server while the window lives');
  });

  it('a server the user declined to start is not offered; the other assistant tools still work', async () => {
    const assistants = await api();
    answer = undefined;
    // A changed definition is another server: asked again.
    const text = new TextDecoder().decode(await vscode.workspace.fs.readFile(mcpJson())).replace('"notes": {', '"notes": { "env": { "MODE": "declined" },');
    await vscode.workspace.fs.writeFile(mcpJson(), new TextEncoder().encode(text));
    await vscode.commands.executeCommand('assistants.newThread');
    const reply = await ask(assistants, 'call mcp_notes_read_note with {"title":"launch"}');
    assert.equal(asked.length, 2, `asked again for the changed definition: ${JSON.stringify(asked)}`);
    assert.doesNotMatch(reply, /The launch is on March 3\./, 'the tool was not offered');
    const functions = assistants.currentThread()?.functionCalls ?? [];
    assert.deepEqual(functions.filter((call) => call.name.startsWith('mcp_notes_')), []);
    assert.match(await ask(assistants, 'call read_file with {"path":"src/inventory.ts","startLine":1,"endLine":3}'), /The function returned/);
  });
});
