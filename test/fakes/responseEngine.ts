import type { FakeOpenAIServer } from './fakeServer';
import type { FakeMcpTool } from './hostedMcp';
import { pngChart } from './png';
import type { Turn, TurnStep } from './scriptedModel';
import { argumentsJson, chunkText } from './scriptedModel';
import type { SearchHit, StoredContainer, StoredContainerFile } from './store';

/** One Responses stream event as sent on the wire (`type` and `sequence_number` included). */
export type StreamEvent = Record<string, unknown> & { type: string; sequence_number: number };

/** The mutable `response` object plus what the engine needs to run it. */
export interface ResponseRun {
  json: Record<string, unknown> & { id: string; status: string; output: Record<string, unknown>[] };
  background: boolean;
  /** Set when the response is streamed or in the background: scripted delays apply. */
  paced: boolean;
  turn: Turn;
  vectorStoreIds: string[];
  /** `container` of the code_interpreter tool: an id, or undefined for `auto`. */
  containerId?: string;
  include: string[];
  /** The request's hosted `mcp` tools, as sent. */
  mcpTools: Record<string, unknown>[];
  /** Labels of the MCP servers whose tools are already listed in the context (the conversation or the responses this one continues). */
  mcpListed: Set<string>;
  /** Input size in characters, for the usage estimate. */
  inputChars: number;
  /** Every event so far, for streams that resume with `starting_after`. */
  history: StreamEvent[];
  listeners: Set<(event: StreamEvent) => Promise<void>>;
  abort: AbortController;
  finished: Promise<void>;
}

const TERMINAL = new Set(['completed', 'failed', 'cancelled', 'incomplete']);

/** True when the response will not change any more. */
export function isTerminal(status: string): boolean {
  return TERMINAL.has(status);
}

/** Default pacing of streamed / background responses (scripted ms, scaled by timeScale). */
const DEFAULT_EVENT_MS = 3;
const DEFAULT_QUEUED_MS = 20;

/**
 * Runs a scripted turn as the Responses service would: mutates `run.json` step by step and emits the
 * stream events in the service's order. Resolves when the response is terminal (or the server closes).
 */
export async function runResponse(server: FakeOpenAIServer, run: ResponseRun, onItemDone: (item: Record<string, unknown>) => void): Promise<void> {
  const store = server.store;
  const json = run.json;
  const turn = run.turn;
  const tick = pacing(run);
  let sequence = 0;
  let outputChars = 0;
  const emit = async (type: string, fields: Record<string, unknown>): Promise<void> => {
    const event: StreamEvent = { type, ...fields, sequence_number: sequence++ };
    run.history.push(event);
    for (const listener of [...run.listeners]) await listener(event);
  };
  const snapshot = (): unknown => structuredClone(json);
  const wait = async (ms: number): Promise<boolean> => {
    if (run.abort.signal.aborted) return false;
    if (!run.paced || ms <= 0) return true;
    return (await server.sleep(ms, run.abort.signal)) && !run.abort.signal.aborted;
  };

  await emit('response.created', { response: snapshot() });
  if (run.background) {
    await emit('response.queued', { response: snapshot() });
    if (!(await wait(turn.queuedMs ?? DEFAULT_QUEUED_MS))) return;
  }
  json.status = 'in_progress';
  await emit('response.in_progress', { response: snapshot() });

  let hits: SearchHit[] = [];
  /** Files the run's code wrote since the last answer: the next answer cites them. */
  let written: { container: StoredContainer; file: StoredContainerFile }[] = [];
  const steps = [...turn.steps];
  for (let stepIndex = 0; stepIndex < steps.length; stepIndex++) {
    const step = steps[stepIndex];
    if (!(await wait(tick.event))) return;
    const outputIndex = json.output.length;
    const add = async (item: Record<string, unknown>): Promise<Record<string, unknown>> => {
      json.output.push(item);
      await emit('response.output_item.added', { output_index: outputIndex, item: structuredClone(item) });
      return item;
    };
    const done = async (item: Record<string, unknown>): Promise<void> => {
      await emit('response.output_item.done', { output_index: outputIndex, item: structuredClone(item) });
      onItemDone(item);
    };
    if (step.type === 'text') {
      const item = await add({ id: store.newId('msg'), type: 'message', status: 'in_progress', role: 'assistant', content: [] });
      const part: Record<string, unknown> & { text: string; annotations: unknown[] } = { type: 'output_text', text: '', annotations: [], logprobs: [] };
      (item.content as unknown[]).push(part);
      const ids = { item_id: item.id, output_index: outputIndex, content_index: 0 };
      await emit('response.content_part.added', { ...ids, part: structuredClone(part) });
      for (const delta of chunkText(step.text, step.chunkSize)) {
        if (!(await wait(step.chunkDelayMs ?? tick.delta))) return;
        part.text += delta;
        await emit('response.output_text.delta', { ...ids, delta, logprobs: [] });
      }
      outputChars += step.text.length;
      for (const annotation of annotationsFor(step, hits, written, step.text)) {
        part.annotations.push(annotation);
        await emit('response.output_text.annotation.added', { ...ids, annotation_index: part.annotations.length - 1, annotation });
      }
      written = [];
      await emit('response.output_text.done', { ...ids, text: part.text, logprobs: [] });
      await emit('response.content_part.done', { ...ids, part: structuredClone(part) });
      item.status = 'completed';
      await done(item);
    } else if (step.type === 'function_call') {
      const args = argumentsJson(step.arguments);
      const item = await add({ id: store.newId('fc'), type: 'function_call', status: 'in_progress', arguments: '', call_id: store.newId('call'), name: step.name });
      const ids = { item_id: item.id, output_index: outputIndex };
      for (const delta of chunkText(args)) {
        if (!(await wait(tick.delta))) return;
        item.arguments = `${String(item.arguments)}${delta}`;
        await emit('response.function_call_arguments.delta', { ...ids, delta });
      }
      outputChars += args.length;
      await emit('response.function_call_arguments.done', { ...ids, name: step.name, arguments: args });
      item.status = 'completed';
      await done(item);
    } else if (step.type === 'file_search') {
      const item = await add({ id: store.newId('fs'), type: 'file_search_call', status: 'in_progress', queries: step.queries, results: null });
      const ids = { item_id: item.id, output_index: outputIndex };
      await emit('response.file_search_call.in_progress', ids);
      if (!(await wait(tick.event))) return;
      item.status = 'searching';
      await emit('response.file_search_call.searching', ids);
      hits = store.search(run.vectorStoreIds, step.queries);
      if (!(await wait(tick.event))) return;
      item.status = 'completed';
      if (run.include.includes('file_search_call.results')) {
        item.results = hits.map((h) => ({ file_id: h.fileId, filename: h.filename, score: h.score, text: h.text, attributes: {} }));
      }
      await emit('response.file_search_call.completed', ids);
      await done(item);
    } else if (step.type === 'mcp_call') {
      const result = await mcpStep(server, run, step, { emit, wait: () => wait(tick.event), onItemDone });
      if (result === 'aborted') return;
      if (result === 'waits') break;
      if (result) steps.splice(stepIndex + 1, 0, result);
    } else if (step.type === 'code_interpreter') {
      const container = (run.containerId ? store.containers.get(run.containerId) : undefined) ?? store.createContainer('code-interpreter');
      const item = await add({ id: store.newId('ci'), type: 'code_interpreter_call', status: 'in_progress', container_id: container.id, code: '', outputs: null });
      const ids = { item_id: item.id, output_index: outputIndex };
      await emit('response.code_interpreter_call.in_progress', ids);
      for (const delta of chunkText(step.code)) {
        if (!(await wait(tick.delta))) return;
        item.code = `${String(item.code)}${delta}`;
        await emit('response.code_interpreter_call_code.delta', { ...ids, delta });
      }
      await emit('response.code_interpreter_call_code.done', { ...ids, code: step.code });
      item.status = 'interpreting';
      await emit('response.code_interpreter_call.interpreting', ids);
      if (!(await wait(tick.event))) return;
      const chart = step.image ? store.addChart(container) : undefined;
      if (chart) written.push({ container, file: chart });
      for (const file of step.files ?? []) written.push({ container, file: store.addContainerFile(container, file.path, file.data) });
      if (run.include.includes('code_interpreter_call.outputs')) {
        const outputs: unknown[] = [{ type: 'logs', logs: step.logs }];
        if (chart) {
          const url = step.imageAsFile ? `${server.baseUrl}/containers/${container.id}/files/${chart.id}/content` : `data:image/png;base64,${pngChart().toString('base64')}`;
          outputs.push({ type: 'image', url });
        }
        item.outputs = outputs;
      }
      item.status = 'completed';
      await emit('response.code_interpreter_call.completed', ids);
      await done(item);
    } else {
      const item = await add({ id: store.newId('rs'), type: 'reasoning', summary: [] });
      const ids = { item_id: item.id, output_index: outputIndex, summary_index: 0 };
      const part = { type: 'summary_text', text: '' };
      await emit('response.reasoning_summary_part.added', { ...ids, part: { ...part } });
      for (const delta of chunkText(step.summary)) {
        if (!(await wait(tick.delta))) return;
        part.text += delta;
        await emit('response.reasoning_summary_text.delta', { ...ids, delta });
      }
      await emit('response.reasoning_summary_text.done', { ...ids, text: part.text });
      await emit('response.reasoning_summary_part.done', { ...ids, part: { ...part } });
      (item.summary as unknown[]).push(part);
      await done(item);
    }
  }
  if (!(await wait(tick.event))) return;
  json.usage = usage(run.inputChars, outputChars);
  const outcome = turn.outcome ?? { status: 'completed' };
  if (outcome.status === 'completed') {
    json.status = 'completed';
    json.completed_at = store.nowSeconds();
    await emit('response.completed', { response: snapshot() });
  } else if (outcome.status === 'incomplete') {
    json.status = 'incomplete';
    json.incomplete_details = { reason: outcome.reason };
    await emit('response.incomplete', { response: snapshot() });
  } else {
    // Responses has no `expired` status: the service reports a run that timed out as failed.
    json.status = 'failed';
    json.error = outcome.status === 'failed' ? { code: outcome.code, message: outcome.message } : { code: 'server_error', message: 'The response expired before it completed.' };
    await emit('response.failed', { response: snapshot() });
  }
}

/** Stops a running response: it ends `cancelled` with what it produced so far. */
export function cancelResponse(run: ResponseRun): void {
  if (isTerminal(run.json.status)) return;
  run.abort.abort();
  run.json.status = 'cancelled';
  for (const item of run.json.output) if (item.status === 'in_progress' || item.status === 'searching' || item.status === 'interpreting') item.status = 'incomplete';
}

function pacing(run: ResponseRun): { event: number; delta: number } {
  const turn = run.turn;
  if (turn.durationMs === undefined) return { event: DEFAULT_EVENT_MS, delta: DEFAULT_EVENT_MS };
  // Spread the scripted duration over the turn's pauses so a background run takes about that long.
  const pauses = turn.steps.reduce((sum, step) => sum + pausesOf(step), 1);
  const each = Math.max(0, (turn.durationMs - (turn.queuedMs ?? DEFAULT_QUEUED_MS)) / pauses);
  return { event: each, delta: each };
}

function pausesOf(step: TurnStep): number {
  switch (step.type) {
    case 'text':
      return 1 + chunkText(step.text, step.chunkSize).length;
    case 'function_call':
      return 1 + chunkText(argumentsJson(step.arguments)).length;
    case 'file_search':
      return 3;
    case 'code_interpreter':
      return 2 + chunkText(step.code).length;
    case 'reasoning':
      return 1 + chunkText(step.summary).length;
    case 'mcp_call':
      return 3;
  }
}

type McpStep = Extract<TurnStep, { type: 'mcp_call' }>;

/**
 * One `mcp_call` step as the service runs it: `mcp_list_tools` when the server is not listed yet
 * (a list that fails ends the turn), then `mcp_approval_request` when the tool needs approval and
 * none was given (the turn waits: 'waits'), else the `mcp_call` with the server's answer. Returns the
 * text step that reports the answer when `summarize` asks for one.
 */
async function mcpStep(
  server: FakeOpenAIServer,
  run: ResponseRun,
  step: McpStep,
  io: { emit(type: string, fields: Record<string, unknown>): Promise<void>; wait(): Promise<boolean>; onItemDone(item: Record<string, unknown>): void },
): Promise<TurnStep | 'waits' | 'aborted' | undefined> {
  const store = server.store;
  const json = run.json;
  const add = async (item: Record<string, unknown>): Promise<number> => {
    json.output.push(item);
    const index = json.output.length - 1;
    await io.emit('response.output_item.added', { output_index: index, item: structuredClone(item) });
    return index;
  };
  const done = async (item: Record<string, unknown>, index: number): Promise<void> => {
    await io.emit('response.output_item.done', { output_index: index, item: structuredClone(item) });
    io.onItemDone(item);
  };
  const tool = run.mcpTools.find((candidate) => candidate.server_label === step.server);
  const url = typeof tool?.server_url === 'string' ? tool.server_url : undefined;
  const headers: Record<string, string> = Object.fromEntries(Object.entries(asRecord(tool?.headers)).filter((entry): entry is [string, string] => typeof entry[1] === 'string'));
  if (typeof tool?.authorization === 'string') headers.authorization = `Bearer ${tool.authorization}`;
  const listed = server.mcp.list(url, headers);
  const offered = 'tools' in listed ? listed.tools.filter((t) => allowedBy(tool?.allowed_tools, t)) : [];
  if (!run.mcpListed.has(step.server)) {
    run.mcpListed.add(step.server);
    const item: Record<string, unknown> = { id: store.newId('mcpl'), type: 'mcp_list_tools', server_label: step.server, tools: [], error: null };
    const index = await add(item);
    const ids = { item_id: item.id, output_index: index };
    await io.emit('response.mcp_list_tools.in_progress', ids);
    if (!(await io.wait())) return 'aborted';
    if ('error' in listed) item.error = listed.error;
    else item.tools = offered;
    await io.emit(`response.mcp_list_tools.${'error' in listed ? 'failed' : 'completed'}`, ids);
    await done(item, index);
    if ('error' in listed) return 'waits';
  }
  const args = argumentsJson(step.arguments);
  const known = offered.find((t) => t.name === step.name);
  if (!step.approvalRequestId && known && needsApproval(tool?.require_approval, known.name, known.annotations?.readOnlyHint === true)) {
    const item = { id: store.newId('mcpr'), type: 'mcp_approval_request', server_label: step.server, name: step.name, arguments: args };
    await done(item, await add(item));
    return 'waits';
  }
  const item: Record<string, unknown> = {
    id: store.newId('mcp'),
    type: 'mcp_call',
    server_label: step.server,
    name: step.name,
    arguments: '',
    status: 'in_progress',
    output: null,
    error: null,
    approval_request_id: step.approvalRequestId ?? null,
  };
  const index = await add(item);
  const ids = { item_id: item.id, output_index: index };
  await io.emit('response.mcp_call.in_progress', ids);
  for (const delta of chunkText(args)) {
    item.arguments = `${String(item.arguments)}${delta}`;
    await io.emit('response.mcp_call_arguments.delta', { ...ids, delta });
  }
  await io.emit('response.mcp_call_arguments.done', { ...ids, arguments: args });
  if (!(await io.wait())) return 'aborted';
  const result = url ? server.mcp.call(url, step.name, asRecord(parseJson(args)), headers) : { error: { type: 'http_error', code: 424, message: 'no server_url' } };
  if ('output' in result) item.output = result.output;
  else item.error = result.error;
  item.status = 'output' in result ? 'completed' : 'failed';
  await io.emit(`response.mcp_call.${'output' in result ? 'completed' : 'failed'}`, ids);
  await done(item, index);
  if (!step.summarize) return undefined;
  return { type: 'text', text: 'output' in result ? `${step.name} returned: ${result.output}` : `${step.name} failed: ${JSON.stringify(result.error)}` };
}

/** Whether `allowed_tools` (a list of names, a filter, or none) lets a tool through. */
function allowedBy(allowed: unknown, tool: FakeMcpTool): boolean {
  if (allowed === undefined || allowed === null) return true;
  if (Array.isArray(allowed)) return allowed.includes(tool.name);
  return matches(allowed, tool.name, tool.annotations?.readOnlyHint === true);
}

/** `require_approval` as the service reads it: `always` by default; a filter object asks for what `never` does not name. */
function needsApproval(setting: unknown, name: string, readOnly: boolean): boolean {
  if (setting === 'never') return false;
  if (typeof setting !== 'object' || setting === null) return true;
  const { always, never } = setting as { always?: unknown; never?: unknown };
  if (always !== undefined && matches(always, name, readOnly)) return true;
  return !(never !== undefined && matches(never, name, readOnly));
}

function matches(filter: unknown, name: string, readOnly: boolean): boolean {
  const { tool_names: names, read_only: onlyRead } = asRecord(filter);
  if (Array.isArray(names) && !names.includes(name)) return false;
  return typeof onlyRead !== 'boolean' || onlyRead === readOnly;
}

function asRecord(value: unknown): Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Record<string, unknown>) : {};
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return {};
  }
}

/**
 * The answer's citations: the files file search found (when asked), and each file the run's code
 * wrote, as the service cites them (a container file citation spanning the Markdown link to it, or
 * the whole answer when it has none), unless `citeOutputs` is false.
 */
function annotationsFor(step: Extract<TurnStep, { type: 'text' }>, hits: SearchHit[], written: { container: StoredContainer; file: StoredContainerFile }[], text: string): Record<string, unknown>[] {
  const annotations: Record<string, unknown>[] = [];
  if (step.citeFiles) {
    for (const hit of hits) annotations.push({ type: 'file_citation', file_id: hit.fileId, index: text.length, filename: hit.filename });
  }
  if (step.citeOutputs === false) return annotations;
  for (const { container, file } of written) {
    const link = markdownLinkTo(text, file.path);
    const span = link ? { start_index: link.start, end_index: link.end } : { start_index: 0, end_index: text.length };
    annotations.push({ type: 'container_file_citation', container_id: container.id, file_id: file.id, ...span, filename: file.path.split('/').pop() ?? file.path });
  }
  return annotations;
}

/** Where `text` holds a Markdown link to `sandbox:<path>`: from its `[` to its `)`. */
export function markdownLinkTo(text: string, path: string): { start: number; end: number; target: { start: number; end: number } } | undefined {
  const target = `sandbox:${path}`;
  const at = text.indexOf(`](${target})`);
  if (at < 0) return undefined;
  const start = text.lastIndexOf('[', at);
  return start < 0 ? undefined : { start, end: at + target.length + 3, target: { start: at + 2, end: at + 2 + target.length } };
}

/** A token estimate (about four characters a token), with the detail objects the schema requires. */
export function usage(inputChars: number, outputChars: number): Record<string, unknown> {
  const input = Math.max(1, Math.ceil(inputChars / 4));
  const output = Math.ceil(outputChars / 4);
  return {
    input_tokens: input,
    input_tokens_details: { cached_tokens: 0, cache_write_tokens: 0 },
    output_tokens: output,
    output_tokens_details: { reasoning_tokens: 0 },
    total_tokens: input + output,
  };
}
