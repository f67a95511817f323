import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { builtinFunctions } from '../../../../src/core/functions/builtins';
import { Confinement, DEFAULT_DENY } from '../../../../src/core/workspace/confinement';
import type { EditorState } from '../../../../src/core/functions/editorFunctions';
import type { ApprovalAnswer, ApprovalRequest } from '../../../../src/core/functions/functionToolHandler';
import { functionToolHandler } from '../../../../src/core/functions/functionToolHandler';
import type { EditDecision, EditProposer } from '../../../../src/core/functions/proposeEdit';
import type { ApprovalPolicy } from '../../../../src/core/functions/registry';
import { FunctionRegistry } from '../../../../src/core/functions/registry';
import { nodeWorkspaceFs } from '../../../../src/core/workspace/fileSystem';
import type { Run } from '../../../../src/common/model';
import type { ToolHandler } from '../../../../src/core/toolHandler';

/** A workspace folder on disk with the built-in functions over it, for unit tests. */
export interface FunctionFixture {
  root: string;
  write(relative: string, content: string | Uint8Array): string;
  confinement: Confinement;
  registry: FunctionRegistry;
  editor: EditorState & { state: { diagnostics: ReturnType<EditorState['diagnostics']>; selection: ReturnType<EditorState['selection']>; open: ReturnType<EditorState['openEditors']> } };
  exclude: string[];
  /** `assistants.functions.deny` (the default list unless a test sets another). */
  deny: unknown[];
  /** What the fake proposer does with the next proposal: apply it (optionally trimmed by the user) or discard it. */
  proposals: Array<{ display: string; original: string | undefined; proposed: string }>;
  decide: (proposed: string) => EditDecision;
  policies: Record<string, ApprovalPolicy>;
  asked: ApprovalRequest[];
  answers: ApprovalAnswer[];
  trusted: boolean;
  /** `assistants.tools.workspaceFunctions`. */
  enabled: boolean;
  handler: ToolHandler;
  /** Calls one function through the tool handler and returns its output. */
  call(name: string, args: unknown, threadId?: string): Promise<string>;
  dispose(): void;
}

export function functionFixture(options: { caseInsensitive?: boolean; root?: string; walkTimeLimitMs?: number } = {}): FunctionFixture {
  const root = options.root ?? fs.mkdtempSync(path.join(os.tmpdir(), 'ws-'));
  const state = { diagnostics: [], selection: undefined, open: [] } as FunctionFixture['editor']['state'];
  const editor = { state, diagnostics: () => state.diagnostics, selection: () => state.selection, openEditors: () => state.open };
  const fixture: FunctionFixture = {
    root,
    write(relative, content) {
      const file = path.join(root, relative);
      fs.mkdirSync(path.dirname(file), { recursive: true });
      fs.writeFileSync(file, content);
      return file;
    },
    exclude: [],
    deny: [...DEFAULT_DENY],
    proposals: [],
    decide: () => ({ applied: false, reason: 'rejected' }),
    policies: {},
    asked: [],
    answers: [],
    trusted: true,
    enabled: true,
    editor,
    confinement: undefined as unknown as Confinement,
    registry: undefined as unknown as FunctionRegistry,
    handler: undefined as unknown as ToolHandler,
    async call(name, args, threadId = 'thread') {
      const run: Run = { id: 'run', threadId, assistantId: 'a', status: 'requires_action', createdAt: 0 };
      const [output] = await handler.handle([{ callId: 'c1', name, arguments: typeof args === 'string' ? args : JSON.stringify(args) }], {
        run,
        signal: new AbortController().signal,
      });
      return output.output;
    },
    dispose: () => fs.rmSync(root, { recursive: true, force: true }),
  };
  fixture.confinement = new Confinement(nodeWorkspaceFs, () => ({ roots: [root], deny: fixture.deny, exclude: fixture.exclude }), options.caseInsensitive ?? false);
  const proposer: EditProposer = {
    // As the host's DiffEditProposer: the user decides, the path is checked again, then it writes.
    async propose({ absolute, display, original, proposed, recheck }) {
      fixture.proposals.push({ display, original, proposed });
      const decision = fixture.decide(proposed);
      if (decision.applied) {
        const refusal = await recheck();
        if (refusal) return { applied: false, reason: 'refused', detail: refusal };
        fs.mkdirSync(path.dirname(absolute), { recursive: true });
        fs.writeFileSync(absolute, decision.text);
      }
      return decision;
    },
  };
  fixture.registry = new FunctionRegistry(builtinFunctions({ fs: nodeWorkspaceFs, confinement: fixture.confinement, editor, proposer, walkTimeLimitMs: options.walkTimeLimitMs }));
  const handler = (fixture.handler = functionToolHandler({
    registry: fixture.registry,
    trusted: () => fixture.trusted,
    enabled: () => fixture.enabled,
    policy: (name) => fixture.policies[name],
    approver: {
      async ask(request) {
        fixture.asked.push(request);
        return fixture.answers.shift() ?? 'deny';
      },
    },
    roots: () => [root, fs.realpathSync(root)],
  }));
  return fixture;
}
