import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';
import { api, ask, until } from './extensionApi';

/** VS Code's own tool that reads the last command of the active terminal: harmless, and there with no other extension. */
const TOOL = 'terminal_last_command';

describe('tools other extensions register with VS Code (vscode.lm.tools), inside VS Code', () => {
  const settings = () => vscode.workspace.getConfiguration('assistants');

  before(function () {
    if (!process.env.OPENAI_BASE_URL || !vscode.lm?.tools?.some((tool) => tool.name === TOOL)) this.skip();
  });

  after(async () => {
    await settings().update('vscodeTools', undefined, vscode.ConfigurationTarget.Global);
  });

  it('offers none until the user picks one; a picked tool asks on the card naming it, then runs through vscode.lm.invokeTool', async () => {
    const assistants = await api();
    await vscode.commands.executeCommand('assistants.newThread');
    const question = `call vscode_${TOOL} with {}`;
    const unpicked = await ask(assistants, question);
    assert.doesNotMatch(unpicked, /No active terminal/, 'not offered by default');
    assert.deepEqual(assistants.currentThread()?.functionCalls.filter((call) => call.name.startsWith('vscode_')), []);

    await settings().update('vscodeTools', [TOOL], vscode.ConfigurationTarget.Global);
    const sent = assistants.sendMessage(question);
    const approval = await until(() => assistants.approvals()[0], 'the approval card');
    assert.deepEqual([approval.name, approval.vscodeTool, approval.writes], [`vscode_${TOOL}`, TOOL, true]);
    assistants.answerApproval(approval.callId, 'once');
    await sent;
    await assistants.whenIdle();
    assert.match(assistants.currentThread()?.lastMessageText ?? '', /No active terminal instance found\./, 'VS Code\'s tool answered');

    // Denied: the tool never runs, and the model is told.
    const denied = assistants.sendMessage(question);
    assistants.answerApproval((await until(() => assistants.approvals()[0], 'the second card')).callId, 'deny');
    await denied;
    await assistants.whenIdle();
    assert.match(assistants.currentThread()?.lastMessageText ?? '', new RegExp(`the user denied this call to vscode_${TOOL}`));
  });
});
