/** A file the code interpreter writes besides its figure (`path` such as `/mnt/data/x.csv`). */
export interface WrittenFile {
  path: string;
  data: Buffer;
}

/** One thing the model does within a turn; each protocol renders it in its own wire shape. */
export type TurnStep =
  /**
   * `citeOutputs` (default true): the server cites each file the run's code wrote (a container file
   * citation in Responses; in Assistants v2 a `file_path` annotation on each `sandbox:` link to it).
   */
  | { type: 'text'; text: string; chunkSize?: number; chunkDelayMs?: number; citeFiles?: boolean; citeOutputs?: boolean }
  | { type: 'function_call'; name: string; arguments: string | Record<string, unknown> }
  | { type: 'file_search'; queries: string[] }
  /**
   * `image`: it draws `/mnt/data/chart.png`; Responses sends it inline (a data URL) unless
   * `imageAsFile`, then as the container file's URL. `files`: other files it writes.
   */
  | { type: 'code_interpreter'; code: string; logs: string; image?: boolean; imageAsFile?: boolean; files?: WrittenFile[] }
  | { type: 'reasoning'; summary: string }
  /**
   * A tool of a hosted MCP server (Responses `mcp` tool, by its `server_label`): listed first if this
   * response has not listed the server yet, then asked for approval (the turn ends there) unless
   * `approvalRequestId` names the approved request or the tool needs none, then run. `summarize`
   * follows the call with a message saying what it answered.
   */
  | { type: 'mcp_call'; server: string; name: string; arguments: string | Record<string, unknown>; approvalRequestId?: string; summarize?: boolean };

export type TurnOutcome =
  | { status: 'completed' }
  | { status: 'failed'; code: string; message: string }
  | { status: 'expired' }
  | { status: 'incomplete'; reason: string };

/** What the model does in one run / response. */
export interface Turn {
  steps: TurnStep[];
  /** Default: completed. */
  outcome?: TurnOutcome;
  /** How long a background run stays queued before it starts. */
  queuedMs?: number;
  /** How long a background run takes in total. */
  durationMs?: number;
}

/** What the protocol tells the model about the request, so the default rules can answer sensibly. */
export interface TurnContext {
  lastUserText: string;
  toolOutputs: { callId: string; output: string }[];
  functionNames: string[];
  hasFileSearch: boolean;
  hasCodeInterpreter: boolean;
  /** The run's instructions (the assistant's, or the run's override). */
  instructions: string;
  /** Files the last user message gave whole (`input_file` parts, Responses): their names and sizes. */
  inputFiles?: { filename: string; bytes: number }[];
  /** The tools of the request's hosted MCP servers (Responses), by server label. */
  mcpTools?: { server: string; name: string }[];
  /** The user's answers to MCP approval requests this request carries (`mcp_approval_response`), with the request they answer. */
  mcpApprovals?: { requestId: string; approve: boolean; server: string; name: string; arguments: string }[];
}

/** Default characters per streamed text delta. */
export const DEFAULT_CHUNK_SIZE = 12;

const SLOW_SECONDS = 8;

/**
 * A protocol-neutral model: tests enqueue exact turns; with an empty queue deterministic rules answer so the
 * offline demo is useful.
 */
export class ScriptedModel {
  private readonly queue: Turn[] = [];

  enqueue(...turns: Turn[]): void {
    this.queue.push(...turns);
  }

  /** The next scripted turn, or the default answer to `context`. */
  next(context: TurnContext): Turn {
    return this.queue.shift() ?? defaultTurn(context);
  }

  /** How many scripted turns are still waiting. */
  get pending(): number {
    return this.queue.length;
  }

  reset(): void {
    this.queue.length = 0;
  }
}

/** The rules used when nothing is scripted. */
export function defaultTurn(context: TurnContext): Turn {
  const turn = ruleTurn(context);
  // Instructions at work: 'Start every answer with "X"' is followed, as a model would.
  const prefix = /start every answer with "([^"]+)"/i.exec(context.instructions)?.[1];
  const last = turn.steps.at(-1);
  // A Markdown block (a heading, a fence) starts on a line of its own, after the greeting.
  if (prefix && last?.type === 'text') last.text = /^(#|```)/.test(last.text) ? `${prefix}\n\n${last.text}` : `${prefix} ${last.text}`;
  return turn;
}

function ruleTurn(context: TurnContext): Turn {
  const text = context.lastUserText;
  const approvals = context.mcpApprovals ?? [];
  if (approvals.length > 0) {
    const steps: TurnStep[] = approvals.map((a) =>
      a.approve
        ? { type: 'mcp_call', server: a.server, name: a.name, arguments: a.arguments, approvalRequestId: a.requestId, summarize: true }
        : { type: 'text', text: `You did not allow ${a.name} on ${a.server}, so I did not run it.` },
    );
    return { steps };
  }
  if (context.toolOutputs.length > 0) {
    const outputs = context.toolOutputs.map((o) => o.output).join('\n');
    return { steps: [{ type: 'text', text: `The function returned:\n\n\`\`\`\n${outputs}\n\`\`\`` }] };
  }
  // "call get_diagnostics with {"path":"src/a.ts"}": any offered function, by name, with JSON arguments.
  const named = /\bcall (?:the function )?([A-Za-z_][\w-]*)(?: with (\{.*\}))?/is.exec(text);
  if (named && context.functionNames.includes(named[1])) {
    return { steps: [{ type: 'function_call', name: named[1], arguments: named[2] ?? '{}' }] };
  }
  const mcpTool = named ? context.mcpTools?.find((tool) => tool.name === named[1]) : undefined;
  if (named && mcpTool) {
    return { steps: [{ type: 'mcp_call', server: mcpTool.server, name: mcpTool.name, arguments: named[2] ?? '{}', summarize: true }] };
  }
  const path = pathLikeWord(text);
  if (path && /\b(read|open|show|look at)\b/i.test(text) && context.functionNames.includes('read_file')) {
    return { steps: [{ type: 'function_call', name: 'read_file', arguments: { path } }] };
  }
  if (context.inputFiles?.length) {
    const read = context.inputFiles.map((f) => `${f.filename} (${f.bytes} bytes)`).join(', ');
    return { steps: [{ type: 'text', text: `I read the whole of ${read}.` }] };
  }
  if (/\b(search|find)/i.test(text) && context.hasFileSearch) {
    return {
      steps: [
        { type: 'file_search', queries: [text] },
        { type: 'text', text: `Here is what the attached files say about "${text}".`, citeFiles: true },
      ],
    };
  }
  if (/\b(plot|chart|code|python)/i.test(text) && context.hasCodeInterpreter) {
    return {
      steps: [
        {
          type: 'code_interpreter',
          code: 'import matplotlib.pyplot as plt\nvalues = [3, 5, 2, 6]\nplt.bar(range(len(values)), values)\nplt.savefig("chart.png")\nprint(sum(values))',
          logs: '16',
          image: true,
        },
        { type: 'text', text: 'I ran the code: the values add up to 16, and the chart is attached.' },
      ],
    };
  }
  if (/\bslow\b/i.test(text)) {
    const sentences = Array.from({ length: 20 }, (_, i) => `Sentence ${i + 1} of a deliberately slow answer.`);
    const answer = sentences.join(' ');
    const chunkSize = 8;
    const chunkDelayMs = Math.round((SLOW_SECONDS * 1000) / Math.ceil(answer.length / chunkSize));
    return { steps: [{ type: 'text', text: answer, chunkSize, chunkDelayMs }] };
  }
  return { steps: [{ type: 'text', text: markdownAnswer(text) }] };
}

function pathLikeWord(text: string): string | undefined {
  const words = text.split(/\s+/).map((w) => w.replace(/^[`'"(]+|[`'"),.:;!?]+$/g, ''));
  return words.find((w) => /[\w-]\.[A-Za-z0-9]+$/.test(w) || /\w\/\w/.test(w));
}

function markdownAnswer(question: string): string {
  const quoted = question.trim() === '' ? '(empty)' : question.trim();
  return [
    '## Answer',
    '',
    `You asked: *${quoted}*`,
    '',
    '- This reply comes from the offline fake server.',
    '- It shows a heading, a list and a code block.',
    '',
    '```ts',
    `const question = ${JSON.stringify(quoted)};`,
    '```',
  ].join('\n');
}

/** Splits `text` into stream deltas. */
export function chunkText(text: string, chunkSize = DEFAULT_CHUNK_SIZE): string[] {
  const size = Math.max(1, chunkSize);
  const chunks: string[] = [];
  for (let i = 0; i < text.length; i += size) chunks.push(text.slice(i, i + size));
  return chunks.length > 0 ? chunks : [''];
}

/** Function-call arguments as the JSON string the wire carries. */
export function argumentsJson(args: string | Record<string, unknown>): string {
  return typeof args === 'string' ? args : JSON.stringify(args);
}
