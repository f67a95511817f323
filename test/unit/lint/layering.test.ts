import * as assert from 'node:assert/strict';
import * as path from 'node:path';
import { ESLint } from 'eslint';

const repoRoot = path.resolve(__dirname, '..', '..', '..');
/** The layering rules: places in the repository by resolved path, and packages (vscode, Node built-ins) by name. */
const RULES = new Set(['layers/zones', '@typescript-eslint/no-restricted-imports']);
const eslint = new ESLint({ cwd: repoRoot });

/** The layering messages ESLint gives `code` as if it stood at `file` (a path in the repository). */
async function ruleHits(code: string, file: string): Promise<string[]> {
  const [result] = await eslint.lintText(code, { filePath: path.join(repoRoot, file) });
  return result.messages.filter((m) => m.ruleId !== null && RULES.has(m.ruleId)).map((m) => m.message);
}

/** Each row: an import that breaks the map in ARCHITECTURE.md, at the file that makes it. */
const MUST_FAIL: { rule: string; file: string; code: string; message: RegExp }[] = [
  { rule: 'core: no runtime vscode', file: 'src/core/fixture.ts', code: "import * as vscode from 'vscode';\nexport const uri = vscode.Uri;\n", message: /import vscode types only/ },
  { rule: 'core: no host', file: 'src/core/fixture.ts', code: "import { HostChatController } from '../host/chatController';\nexport const c = HostChatController;\n", message: /bottom layer/ },
  { rule: 'core: no host, even for types', file: 'src/core/fixture.ts', code: "import type { HostChatController } from '../host/chatController';\nexport type C = HostChatController;\n", message: /bottom layer/ },
  { rule: 'core: no backends', file: 'src/core/fixture.ts', code: "import { createBackend } from '../backends/createBackend';\nexport const b = createBackend;\n", message: /bottom layer/ },
  { rule: 'core: no host-webview protocol', file: 'src/core/fixture.ts', code: "import type { ChatState } from '../common/protocol';\nexport type S = ChatState;\n", message: /protocols are the host's/ },
  { rule: 'backends: no host-webview protocol', file: 'src/backends/fixture.ts', code: "import type { ChatState } from '../common/protocol';\nexport type S = ChatState;\n", message: /protocols are the host's/ },
  { rule: 'core: no protocol in the FileSystem port', file: 'src/core/workspace/fileSystem.ts', code: "import type { ChatState } from '../../common/protocol';\nexport type S = ChatState;\n", message: /protocols are the host's/ },
  { rule: 'cli: no host-webview protocol', file: 'src/cli.ts', code: "import type { ChatState } from './common/protocol';\nexport type S = ChatState;\n", message: /The CLI runs without VS Code/ },
  { rule: 'core: no tests', file: 'src/core/fixture.ts', code: "import { FakeServer } from '../../test/fakes/fakeServer';\nexport const f = FakeServer;\n", message: /never imports tests/ },
  { rule: 'core: no child_process', file: 'src/core/fixture.ts', code: "import { spawn } from 'node:child_process';\nexport const s = spawn;\n", message: /Node built-ins: path, crypto/ },
  { rule: 'core: no fs outside the FileSystem port', file: 'src/core/sub/fixture.ts', code: "import { promises } from 'fs';\nexport const p = promises;\n", message: /Node built-ins/ },
  { rule: 'core: depth is read exactly', file: 'src/core/sub/fixture.ts', code: "import { HostChatController } from '../../host/chatController';\nexport const c = HostChatController;\n", message: /bottom layer/ },
  { rule: 'common: no host', file: 'src/common/fixture.ts', code: "import type { HostChatController } from '../host/chatController';\nexport type C = HostChatController;\n", message: /shared by both bundles/ },
  { rule: 'common: no core', file: 'src/common/fixture.ts', code: "import { ChatSession } from '../core/chatSession';\nexport const c = ChatSession;\n", message: /shared by both bundles/ },
  { rule: 'common: no core types either', file: 'src/common/sub/fixture.ts', code: "import type { ThreadStore } from '../../core/threadStore';\nexport type T = ThreadStore;\n", message: /shared by both bundles/ },
  { rule: 'common: no Node', file: 'src/common/fixture.ts', code: "import type { Stats } from 'node:fs';\nexport type S = Stats;\n", message: /Node built-ins: none/ },
  { rule: 'common: no vscode', file: 'src/common/fixture.ts', code: "import type * as vscode from 'vscode';\nexport type U = vscode.Uri;\n", message: /no vscode module/ },
  { rule: 'backends: no runtime vscode', file: 'src/backends/fixture.ts', code: "import { window } from 'vscode';\nexport const w = window;\n", message: /import vscode types only/ },
  { rule: 'backends: no host', file: 'src/backends/responses/fixture.ts', code: "import { readSettings } from '../../host/settings';\nexport const r = readSettings;\n", message: /src\/core, the shared model of src\/common and the openai SDK only/ },
  { rule: 'backends: no fs', file: 'src/backends/responses/fixture.ts', code: "import { readFileSync } from 'node:fs';\nexport const r = readFileSync;\n", message: /Node built-ins/ },
  { rule: 'host: no webview', file: 'src/host/fixture.ts', code: "import { createState } from '../../webview/state';\nexport const s = createState;\n", message: /never imports tests, scripts, benchmarks or the webview/ },
  { rule: 'extension: no tests', file: 'src/extension.ts', code: "import { FakeServer } from '../test/fakes/fakeServer';\nexport const f = FakeServer;\n", message: /never imports tests/ },
  { rule: 'cli: no vscode', file: 'src/cli.ts', code: "import * as vscode from 'vscode';\nexport const v = vscode;\n", message: /no vscode module/ },
  { rule: 'cli: no host', file: 'src/cli.ts', code: "import { readSettings } from './host/settings';\nexport const r = readSettings;\n", message: /The CLI runs without VS Code/ },
  { rule: 'webview: no host code', file: 'webview/fixture.ts', code: "import { ChatSession } from '../src/core/chatSession';\nexport const c = ChatSession;\n", message: /never imports host code/ },
  { rule: 'webview: no host types either', file: 'webview/render/fixture.ts', code: "import type { HostChatController } from '../../src/host/chatController';\nexport type C = HostChatController;\n", message: /never imports host code/ },
  { rule: 'webview: no core, even for types', file: 'webview/fixture.ts', code: "import type { RunDriver } from '../src/core/runDriver';\nexport type D = RunDriver;\n", message: /only src\/common/ },
  { rule: 'webview: no vscode', file: 'webview/fixture.ts', code: "import type * as vscode from 'vscode';\nexport type U = vscode.Uri;\n", message: /no vscode module/ },
  { rule: 'webview: no Node', file: 'webview/fixture.ts', code: "import * as path from 'path';\nexport const p = path;\n", message: /Node built-ins: none/ },
  { rule: 'webview: no core from any folder', file: 'webview/compare/fixture.ts', code: "import { CompareSession } from '../../src/core/chat/compare';\nexport const c = CompareSession;\n", message: /never imports host code/ },
  { rule: 'core rooms: no host at their depth', file: 'src/core/chat/fixture.ts', code: "import type { HostChatController } from '../../host/chat/chatController';\nexport type C = HostChatController;\n", message: /bottom layer/ },
  { rule: 'core: a path that leaves src and comes back is read where it lands', file: 'src/core/runs/fixture.ts', code: "import { readSettings } from '../../../src/host/platform/settings';\nexport const r = readSettings;\n", message: /bottom layer/ },
  { rule: 'core: no webview', file: 'src/core/chat/fixture.ts', code: "import { createState } from '../../../webview/state';\nexport const s = createState;\n", message: /never imports tests, scripts, benchmarks or the webview/ },
  { rule: 'core: no host through import()', file: 'src/core/fixture.ts', code: "export const load = () => import('../host/chat/chatController');\n", message: /bottom layer/ },
  { rule: 'core: no host through a re-export', file: 'src/core/fixture.ts', code: "export { readSettings } from '../host/platform/settings';\n", message: /bottom layer/ },
  { rule: 'core: no host through typeof import()', file: 'src/core/fixture.ts', code: "export type S = typeof import('../host/platform/settings');\n", message: /bottom layer/ },
  { rule: 'core: no host through require()', file: 'src/core/fixture.ts', code: "// eslint-disable-next-line @typescript-eslint/no-require-imports\nexport const s: unknown = require('../host/platform/settings');\n", message: /bottom layer/ },
  { rule: 'core/workspace: no room of core above it', file: 'src/core/workspace/fixture.ts', code: "import { FileAssistantStore } from '../assistants/assistantStore';\nexport const s = FileAssistantStore;\n", message: /bottom room of core/ },
  { rule: 'core/workspace: not core\'s top either', file: 'src/core/workspace/fixture.ts', code: "import { AssistantsError } from '../errors';\nexport const e = AssistantsError;\n", message: /bottom room of core/ },
  { rule: 'core/workspace: no host-webview protocol', file: 'src/core/workspace/fixture.ts', code: "import type { ChatState } from '../../common/protocol';\nexport type S = ChatState;\n", message: /protocols are the host's/ },
  { rule: 'core port: no room of core above it', file: 'src/core/backend.ts', code: "import type { RunState } from './runs/runState';\nexport type S = RunState;\n", message: /Backend port and its vocabulary/ },
  { rule: 'core port vocabulary: not even errors', file: 'src/core/toolHandler.ts', code: "import { AssistantsError } from './errors';\nexport const e = AssistantsError;\n", message: /Backend port and its vocabulary/ },
  { rule: 'core/threads: no chat', file: 'src/core/threads/fixture.ts', code: "import type { ChatSession } from '../chat/chatSession';\nexport type C = ChatSession;\n", message: /drives no chat, run or backend/ },
  { rule: 'core/threads: no run', file: 'src/core/threads/fixture.ts', code: "import { RunDriver } from '../runs/runDriver';\nexport const d = RunDriver;\n", message: /drives no chat, run or backend/ },
  { rule: 'core/assistants: no function tools', file: 'src/core/assistants/fixture.ts', code: "import { builtinFunctions } from '../functions/builtins';\nexport const b = builtinFunctions;\n", message: /function tools and MCP build on it/ },
  { rule: 'core/assistants: no MCP, even for types', file: 'src/core/assistants/fixture.ts', code: "import type { SecretLookup } from '../mcp/secretRefs';\nexport type L = SecretLookup;\n", message: /function tools and MCP build on it/ },
  { rule: 'core/assistants: no chat', file: 'src/core/assistants/fixture.ts', code: "import { ChatSession } from '../chat/chatSession';\nexport const c = ChatSession;\n", message: /function tools and MCP build on it/ },
  { rule: 'core/text: no other room of core', file: 'src/core/text/fixture.ts', code: "import { abortableSleep } from '../runs/sleep';\nexport const s = abortableSleep;\n", message: /text helpers any room may use/ },
  { rule: 'backends: no webview', file: 'src/backends/assistantsV2/fixture.ts', code: "import { createState } from '../../../webview/state';\nexport const s = createState;\n", message: /never imports tests, scripts, benchmarks or the webview/ },
  { rule: 'host rooms: no webview at their depth', file: 'src/host/chat/fixture.ts', code: "import { createState } from '../../../webview/state';\nexport const s = createState;\n", message: /never imports tests, scripts, benchmarks or the webview/ },
  { rule: 'host/platform: no other room of the host', file: 'src/host/platform/fixture.ts', code: "import { HostChatController } from '../chat/chatController';\nexport const c = HostChatController;\n", message: /bottom room of the host/ },
  { rule: 'extension: no webview', file: 'src/extension.ts', code: "import { createState } from '../webview/state';\nexport const s = createState;\n", message: /never imports tests, scripts, benchmarks or the webview/ },
  { rule: 'cli: no host room', file: 'src/cli.ts', code: "import { readSettings } from './host/platform/settings';\nexport const r = readSettings;\n", message: /The CLI runs without VS Code/ },
];

/** Imports the map allows, so the rules are not simply "everything fails". */
const MUST_PASS: { rule: string; file: string; code: string }[] = [
  { rule: 'core: vscode types', file: 'src/core/fixture.ts', code: "import type * as vscode from 'vscode';\nexport type U = vscode.Uri;\n" },
  { rule: 'core: path and crypto', file: 'src/core/fixture.ts', code: "import * as path from 'node:path';\nimport { randomUUID } from 'node:crypto';\nexport const p = [path, randomUUID];\n" },
  { rule: 'core: a subfolder named like a layer is no layer', file: 'src/core/sub/fixture.ts', code: "import { x } from '../common/x';\nexport const y = x;\n" },
  { rule: 'core: the FileSystem port may use fs', file: 'src/core/workspace/fileSystem.ts', code: "import { promises } from 'node:fs';\nexport const p = promises;\n" },
  { rule: 'common: its own types', file: 'src/common/fixture.ts', code: "import type { ChatState } from './protocol';\nexport type S = ChatState;\n" },
  { rule: 'common: its own code at run time', file: 'src/common/fixture.ts', code: "import { isTerminal } from './model';\nexport const t = isTerminal;\n" },
  { rule: 'core: the shared model at run time', file: 'src/core/sub/fixture.ts', code: "import { isTerminal } from '../../common/model';\nexport const t = isTerminal;\n" },
  { rule: 'backends: the shared model at run time', file: 'src/backends/responses/fixture.ts', code: "import { isTerminal } from '../../common/model';\nexport const t = isTerminal;\n" },
  { rule: 'backends: core at run time', file: 'src/backends/responses/fixture.ts', code: "import { AssistantsError } from '../../core/errors';\nexport const e = AssistantsError;\n" },
  { rule: 'backends: their own common folder', file: 'src/backends/responses/fixture.ts', code: "import { OpenAIFileOperations } from '../common/openaiFiles';\nexport const o = OpenAIFileOperations;\n" },
  { rule: 'host: vscode, core, backends, common, Node', file: 'src/host/fixture.ts', code: "import * as vscode from 'vscode';\nimport * as fs from 'node:fs';\nimport { ChatSession } from '../core/chatSession';\nimport { createBackend } from '../backends/createBackend';\nimport type { ChatState } from '../common/protocol';\nexport const all = [vscode, fs, ChatSession, createBackend];\nexport type S = ChatState;\n" },
  { rule: 'webview: src/common at run time', file: 'webview/render/fixture.ts', code: "import type { ChatState } from '../../src/common/protocol';\nimport { isTerminal } from '../../src/common/model';\nexport type S = ChatState;\nexport const t = isTerminal;\n" },
  { rule: 'core rooms: one another', file: 'src/core/chat/fixture.ts', code: "import { ThreadStore } from '../threads/threadStore';\nimport { RunDriver } from '../runs/runDriver';\nimport { AssistantsError } from '../errors';\nexport const all = [ThreadStore, RunDriver, AssistantsError];\n" },
  { rule: 'core: the JSON Schemas', file: 'src/core/assistants/fixture.ts', code: "import schema from '../../../schemas/assistant.schema.json';\nexport const s = schema;\n" },
  { rule: 'core/workspace: its own room and the shared model', file: 'src/core/workspace/fixture.ts', code: "import { walkFiles } from './walk';\nimport { isTerminal } from '../../common/model';\nexport const all = [walkFiles, isTerminal];\n" },
  { rule: 'core/text: its own room', file: 'src/core/text/fixture.ts', code: "import { deeperThan } from './jsonDepth';\nexport const d = deeperThan;\n" },
  { rule: 'core port: its vocabulary and the shared model', file: 'src/core/backend.ts', code: "import type { RunAction } from './runAction';\nimport type { ToolHandler } from './toolHandler';\nimport type { FileOperations } from './files';\nimport type { RunRef } from '../common/runRef';\nexport type All = [RunAction, ToolHandler, FileOperations, RunRef];\n" },
  { rule: 'core/threads: the workspace, text, errors, files', file: 'src/core/threads/fixture.ts', code: "import type { FileSystem } from '../workspace/fileSystem';\nimport { stripAnsi } from '../text/ansi';\nimport { AssistantsError } from '../errors';\nimport type { FileObject } from '../files';\nexport type All = [FileSystem, FileObject];\nexport const all = [stripAnsi, AssistantsError];\n" },
  { rule: 'core/assistants: its own room, the workspace, text, errors', file: 'src/core/assistants/fixture.ts', code: "import { WORKSPACE_FUNCTION_NAMES } from './assistantFileShape';\nimport type { FileSystem } from '../workspace/fileSystem';\nimport { deeperThan } from '../text/jsonDepth';\nimport { AssistantsError } from '../errors';\nexport type F = FileSystem;\nexport const all = [WORKSPACE_FUNCTION_NAMES, deeperThan, AssistantsError];\n" },
  { rule: 'host rooms: one another', file: 'src/host/threads/fixture.ts', code: "import { HostChatController } from '../chat/chatController';\nimport { readSettings } from '../platform/settings';\nimport { registerCommands } from '../commands';\nexport const all = [HostChatController, readSettings, registerCommands];\n" },
  { rule: 'host/platform: core, backends and common', file: 'src/host/platform/fixture.ts', code: "import { ChatSession } from '../../core/chat/chatSession';\nimport { connect } from '../../backends/connect';\nimport type { ChatState } from '../../common/protocol';\nexport const all = [ChatSession, connect];\nexport type S = ChatState;\n" },
  { rule: 'webview: src/common from any folder', file: 'webview/compare/fixture.ts', code: "import { isTerminal } from '../../src/common/model';\nexport const t = isTerminal;\n" },
];

describe('layering lint rules (ARCHITECTURE.md)', function () {
  this.timeout(60_000);

  for (const { rule, file, code, message } of MUST_FAIL) {
    it(`fails: ${rule}`, async () => {
      const hits = await ruleHits(code, file);
      assert.ok(hits.some((hit) => message.test(hit)), `expected a layering error matching ${message} at ${file}, got ${JSON.stringify(hits)}`);
    });
  }

  for (const { rule, file, code } of MUST_PASS) {
    it(`allows: ${rule}`, async () => {
      assert.deepEqual(await ruleHits(code, file), []);
    });
  }
});
