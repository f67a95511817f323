import type { Item, StoredConversation } from './conversationRoutes';
import { conversations, textOf, toItem } from './conversationRoutes';
import type { FakeOpenAIServer } from './fakeServer';
import { notFound, page } from './fileRoutes';
import type { FakeRequest, FakeResponse, Route, SseWriter } from './http';
import { asObject } from './http';
import type { ResponseRun, StreamEvent } from './responseEngine';
import { cancelResponse, isTerminal, runResponse } from './responseEngine';
import type { TurnContext } from './scriptedModel';

/** A response the server keeps (`store` not false), with what later requests need from it. */
export interface StoredResponse {
  run: ResponseRun;
  inputItems: Item[];
  lastUserText: string;
  conversationId?: string;
}

/** The map that holds stored responses. */
export function storedResponses(server: FakeOpenAIServer): Map<string, StoredResponse> {
  return server.store.collection<StoredResponse>('responses');
}

/** `POST /responses` and the routes around a response. */
export function responseRoutes(server: FakeOpenAIServer): Route[] {
  const responses = storedResponses(server);
  const withResponse =
    (handler: (stored: StoredResponse, req: FakeRequest, res: FakeResponse) => void | Promise<void>) =>
    (req: FakeRequest, res: FakeResponse): void | Promise<void> => {
      const stored = responses.get(req.params.response_id);
      if (stored) return handler(stored, req, res);
      notFound(res, `Response with id '${req.params.response_id}' not found.`);
    };
  return [
    { method: 'POST', path: '/responses', handle: (req, res) => createResponse(server, req, res) },
    {
      method: 'GET',
      path: '/responses/:response_id',
      handle: withResponse(async (stored, req, res) => {
        if (req.query.get('stream') === 'true') {
          const after = Number(req.query.get('starting_after') ?? -1);
          await pipeEvents(stored.run, res.sse(), after, false);
          return;
        }
        res.json(200, structuredClone(stored.run.json), server.pollHeaders(!isTerminal(stored.run.json.status)));
      }),
    },
    {
      method: 'POST',
      path: '/responses/:response_id/cancel',
      handle: withResponse((stored, _req, res) => {
        const run = stored.run;
        if (!run.background) return res.error(400, 'Only responses created with background=true can be cancelled.', 'invalid_request_error', null);
        if (isTerminal(run.json.status) && run.json.status !== 'cancelled') {
          return res.error(400, `Cannot cancel a response with status '${run.json.status}'.`, 'invalid_request_error', null);
        }
        cancelResponse(run);
        res.json(200, structuredClone(run.json));
      }),
    },
    {
      method: 'DELETE',
      path: '/responses/:response_id',
      handle: withResponse((stored, _req, res) => {
        cancelResponse(stored.run);
        responses.delete(stored.run.json.id);
        res.json(200, { id: stored.run.json.id, object: 'response.deleted', deleted: true });
      }),
    },
    {
      method: 'GET',
      path: '/responses/:response_id/input_items',
      handle: withResponse((stored, req, res) => res.json(200, page(stored.inputItems, req, 'desc'))),
    },
  ];
}

async function createResponse(server: FakeOpenAIServer, req: FakeRequest, res: FakeResponse): Promise<void> {
  const store = server.store;
  const responses = storedResponses(server);
  const body = asObject(req.body);
  if (typeof body.model !== 'string' || body.model === '') return res.error(400, "Missing required parameter: 'model'.", 'invalid_request_error', 'missing_required_parameter');
  const background = body.background === true;
  if (background && !server.options.background) return res.error(400, 'Background mode is not supported by this server.', 'invalid_request_error', 'unsupported_parameter');
  const keep = body.store !== false;
  if (background && !keep) return res.error(400, 'Background mode requires store=true.', 'invalid_request_error', 'invalid_value');

  const conversationId = typeof body.conversation === 'string' ? body.conversation : (asObject(body.conversation).id as string | undefined);
  const previousId = typeof body.previous_response_id === 'string' ? body.previous_response_id : undefined;
  if (conversationId && previousId) {
    return res.error(400, "Mutually exclusive parameters: 'previous_response_id' and 'conversation'.", 'invalid_request_error', 'mutually_exclusive_parameters');
  }
  let conversation: StoredConversation | undefined;
  if (conversationId) {
    conversation = server.options.conversations ? conversations(store).get(conversationId) : undefined;
    if (!conversation) return res.error(404, `Conversation with id '${conversationId}' not found.`, 'invalid_request_error', null);
  }
  const previous = previousId ? responses.get(previousId) : undefined;
  if (previousId && !previous) return res.error(400, `Previous response with id '${previousId}' not found.`, 'invalid_request_error', 'previous_response_not_found');

  const rawInput = typeof body.input === 'string' ? [{ type: 'message', role: 'user', content: body.input }] : Array.isArray(body.input) ? body.input : [];
  const inputItems = rawInput.map((i) => toItem(store, i)).filter((i): i is Item => i !== undefined);
  const knownCalls = new Set(
    [...(conversation?.items ?? []), ...chainOutputs(responses, previous), ...inputItems].filter((i) => i.type === 'function_call').map((i) => String(i.call_id)),
  );
  const orphan = inputItems.find((i) => i.type === 'function_call_output' && !knownCalls.has(String(i.call_id)));
  if (orphan) return res.error(400, `No tool call found for function call output with call_id ${String(orphan.call_id)}.`, 'invalid_request_error', null);

  // As the service does, an input_file naming no uploaded file is refused.
  const lastUser = lastUserItem(inputItems) ?? lastUserItem(conversation?.items ?? []);
  const fileIds = (Array.isArray(lastUser?.content) ? lastUser.content : []).map((p) => asObject(p)).filter((p) => p.type === 'input_file').map((p) => String(p.file_id));
  const unknownFile = fileIds.find((id) => !store.files.has(id));
  if (unknownFile) return res.error(400, `Invalid input file: no file with id '${unknownFile}'.`, 'invalid_request_error', 'invalid_value');
  const tools = (Array.isArray(body.tools) ? body.tools : []).map((t) => asObject(t));
  const mcpTools = tools.filter((t) => t.type === 'mcp');
  const earlier = [...(conversation?.items ?? []), ...chainOutputs(responses, previous)];
  // An answer must name an approval request of the context, as the service checks.
  const requests = new Map(earlier.filter((i) => i.type === 'mcp_approval_request').map((i) => [String(i.id), i]));
  const answers = inputItems.filter((i) => i.type === 'mcp_approval_response');
  const unknownRequest = answers.find((i) => !requests.has(String(i.approval_request_id)));
  if (unknownRequest) return res.error(400, `No MCP approval request found with id ${String(unknownRequest.approval_request_id)}.`, 'invalid_request_error', null);
  // As the service does, file search over a vector store it does not have is refused.
  const unknownStore = tools.filter((t) => t.type === 'file_search').flatMap((t) => (Array.isArray(t.vector_store_ids) ? t.vector_store_ids.map(String) : [])).find((id) => !store.vectorStores.has(id));
  if (unknownStore) return res.error(404, `Vector store with id '${unknownStore}' not found.`, 'invalid_request_error', null);
  const context: TurnContext = {
    lastUserText: lastUserText(inputItems) ?? previous?.lastUserText ?? lastUserText(conversation?.items ?? []) ?? '',
    toolOutputs: inputItems.filter((i) => i.type === 'function_call_output').map((i) => ({ callId: String(i.call_id), output: typeof i.output === 'string' ? i.output : JSON.stringify(i.output) })),
    functionNames: tools.filter((t) => t.type === 'function' && typeof t.name === 'string').map((t) => String(t.name)),
    hasFileSearch: tools.some((t) => t.type === 'file_search'),
    hasCodeInterpreter: tools.some((t) => t.type === 'code_interpreter'),
    instructions: typeof body.instructions === 'string' ? body.instructions : '',
    inputFiles: fileIds.map((id) => ({ filename: store.files.get(id)?.filename ?? id, bytes: store.files.get(id)?.bytes ?? 0 })),
    mcpTools: mcpTools.flatMap((t) => server.mcp.toolNames(t.server_url).map((name) => ({ server: String(t.server_label), name }))),
    mcpApprovals: answers.map((answer) => {
      const request: Item = requests.get(String(answer.approval_request_id)) ?? { id: '', type: 'mcp_approval_request' };
      return { requestId: String(answer.approval_request_id), approve: answer.approve === true, server: String(request.server_label), name: String(request.name), arguments: String(request.arguments) };
    }),
  };
  const codeTool = tools.find((t) => t.type === 'code_interpreter');
  const run: ResponseRun = {
    json: responseJson(store.newId('resp'), store.nowSeconds(), body, tools, background, keep, conversationId),
    background,
    paced: background || body.stream === true,
    turn: server.model.next(context),
    vectorStoreIds: tools.filter((t) => t.type === 'file_search').flatMap((t) => (Array.isArray(t.vector_store_ids) ? t.vector_store_ids.map(String) : [])),
    containerId: typeof codeTool?.container === 'string' ? codeTool.container : undefined,
    include: Array.isArray(body.include) ? body.include.map(String) : [],
    mcpTools,
    mcpListed: new Set(earlier.filter((i) => i.type === 'mcp_list_tools' && !i.error).map((i) => String(i.server_label))),
    inputChars: JSON.stringify(body.input ?? '').length + (typeof body.instructions === 'string' ? body.instructions.length : 0),
    history: [],
    listeners: new Set(),
    abort: new AbortController(),
    finished: Promise.resolve(),
  };
  if (keep) responses.set(run.json.id, { run, inputItems, lastUserText: context.lastUserText, conversationId });
  // As the service does, the request's input joins the conversation at once and each output item as it completes.
  conversation?.items.push(...inputItems);
  const onItemDone = (item: Record<string, unknown>): void => {
    conversation?.items.push(structuredClone(item) as Item);
  };

  run.finished = runResponse(server, run, onItemDone).catch((err: unknown) => {
    run.json.status = 'failed';
    run.json.error = { code: 'server_error', message: `Fake engine error: ${err instanceof Error ? err.message : String(err)}` };
  });
  if (body.stream === true) {
    await pipeEvents(run, res.sse(), -1, !background);
    return;
  }
  if (!background) await run.finished;
  res.json(200, structuredClone(run.json));
}

/**
 * Streams a response's events after `startingAfter` to `writer`, then follows it live until it is terminal.
 * When `cancelOnDrop`, a client that goes away cancels the response (a foreground stream has no one left to serve).
 */
async function pipeEvents(run: ResponseRun, writer: SseWriter, startingAfter: number, cancelOnDrop: boolean): Promise<void> {
  let finish: () => void = () => undefined;
  const ended = new Promise<void>((resolve) => {
    finish = resolve;
  });
  const send = async (event: StreamEvent): Promise<void> => {
    if (event.sequence_number <= startingAfter) return;
    await writer.event(event.type, event);
    if (writer.closed) {
      run.listeners.delete(send);
      if (cancelOnDrop) cancelResponse(run);
      finish();
    } else if (isTerminalEvent(event)) {
      run.listeners.delete(send);
      writer.end();
      finish();
    }
  };
  // Replay by index: events the engine emits while we replay are picked up before subscribing.
  for (let next = 0; next < run.history.length; next++) {
    await send(run.history[next]);
    if (writer.closed) return;
  }
  if (isTerminal(run.json.status)) {
    writer.end();
    return;
  }
  run.listeners.add(send);
  // A cancelled response stops emitting: end the stream when its engine stops.
  void run.finished.then(() => {
    if (run.listeners.delete(send)) {
      writer.end();
      finish();
    }
  });
  await ended;
}

function isTerminalEvent(event: StreamEvent): boolean {
  return event.type === 'response.completed' || event.type === 'response.failed' || event.type === 'response.incomplete';
}

/** Output items of `previous` and the responses it continues, for call-id checks. */
function chainOutputs(responses: Map<string, StoredResponse>, previous: StoredResponse | undefined): Item[] {
  const items: Item[] = [];
  for (let r = previous; r; r = responses.get(String(r.run.json.previous_response_id ?? ''))) {
    items.push(...r.inputItems, ...(r.run.json.output as Item[]));
  }
  return items;
}

function lastUserItem(items: Item[]): Item | undefined {
  return items.filter((i) => i.type === 'message' && i.role === 'user').pop();
}

function lastUserText(items: Item[]): string | undefined {
  const user = items.filter((i) => i.type === 'message' && i.role === 'user');
  return user.length > 0 ? textOf(user[user.length - 1]) : undefined;
}

function responseJson(
  id: string,
  createdAt: number,
  body: Record<string, unknown>,
  tools: Record<string, unknown>[],
  background: boolean,
  keep: boolean,
  conversationId: string | undefined,
): ResponseRun['json'] {
  const text = asObject(body.text);
  return {
    id,
    object: 'response',
    created_at: createdAt,
    status: background ? 'queued' : 'in_progress',
    background,
    completed_at: null,
    conversation: conversationId ? { id: conversationId } : null,
    error: null,
    incomplete_details: null,
    instructions: typeof body.instructions === 'string' ? body.instructions : null,
    max_output_tokens: typeof body.max_output_tokens === 'number' ? body.max_output_tokens : null,
    max_tool_calls: null,
    metadata: asObject(body.metadata),
    model: body.model,
    output: [],
    parallel_tool_calls: body.parallel_tool_calls !== false,
    previous_response_id: typeof body.previous_response_id === 'string' ? body.previous_response_id : null,
    reasoning: null,
    service_tier: 'default',
    store: keep,
    temperature: typeof body.temperature === 'number' ? body.temperature : 1,
    text: { format: { type: 'text' }, verbosity: 'medium', ...text },
    tool_choice: body.tool_choice ?? 'auto',
    tools: tools.map(echoTool),
    top_p: typeof body.top_p === 'number' ? body.top_p : 1,
    truncation: body.truncation === 'auto' ? 'auto' : 'disabled',
  };
}

/** The service echoes tools with their defaults filled in. */
function echoTool(tool: Record<string, unknown>): Record<string, unknown> {
  if (tool.type === 'function') return { strict: true, parameters: null, ...tool };
  if (tool.type === 'file_search') return { max_num_results: 20, ...tool };
  // Credentials sent to an MCP server are not echoed back.
  if (tool.type === 'mcp') {
    const { authorization: _authorization, ...rest } = tool;
    return { ...rest, headers: null };
  }
  return tool;
}
