import type { Assistant as WireAssistant } from 'openai/resources/beta/assistants';
import type { Message as WireMessage } from 'openai/resources/beta/threads/messages';
import type { V2Run, V2Thread } from './assistantsV2State';
import { attachments, isWorking, messageContent, newMessage, stepView, stringMap, tools, wantsResultContent } from './assistantsV2State';
import type { EventSink } from './assistantsV2Engine';
import { V2Engine } from './assistantsV2Engine';
import type { FakeOpenAIServer } from './fakeServer';
import { notFound, page } from './fileRoutes';
import type { FakeRequest, FakeResponse, Route } from './http';
import { asObject } from './http';

type Handler = (req: FakeRequest, res: FakeResponse) => void | Promise<void>;

/**
 * The Assistants v2 wire protocol, stateful: assistants, threads, messages, runs (streamed or in the
 * background, with tool calls and cancel) and run steps. Requests must carry `OpenAI-Beta: assistants=v2`.
 */
export function assistantsV2Routes(server: FakeOpenAIServer): Route[] {
  const engine = new V2Engine(server);
  const routes: Route[] = [...assistantRoutes(server, engine), ...threadRoutes(server, engine), ...runRoutes(server, engine)];
  return routes.map((route) => ({ ...route, handle: requireBeta(route.handle) }));
}

/** Stored objects keep changing as runs advance: answer (and record) a snapshot. */
function send(res: FakeResponse, body: unknown, headers?: Record<string, string>): void {
  res.json(200, structuredClone(body), headers);
}

function requireBeta(handle: Handler): Handler {
  return (req, res) => {
    const beta = req.headers['openai-beta'];
    const values = (Array.isArray(beta) ? beta.join(',') : (beta ?? '')).split(',').map((v) => v.trim());
    if (!values.includes('assistants=v2')) {
      return res.error(400, "You must provide the 'OpenAI-Beta' header to access the Assistants API. Please try again by setting the header 'OpenAI-Beta: assistants=v2'.", 'invalid_request_error', 'invalid_beta');
    }
    return handle(req, res);
  };
}

function assistantRoutes(server: FakeOpenAIServer, engine: V2Engine): Route[] {
  const { assistants } = engine.state;
  const store = server.store;
  const withAssistant = (req: FakeRequest, res: FakeResponse, then: (a: WireAssistant) => void): void => {
    const assistant = assistants.get(req.params.assistant_id);
    if (assistant) then(assistant);
    else notFound(res, `No assistant found with id '${req.params.assistant_id}'.`);
  };
  return [
    {
      method: 'POST',
      path: '/assistants',
      handle(req, res) {
        const body = asObject(req.body);
        if (typeof body.model !== 'string' || body.model === '') return res.error(400, "Missing required parameter: 'model'.", 'invalid_request_error', 'missing_required_parameter');
        const assistant: WireAssistant = {
          id: store.newId('asst'),
          object: 'assistant',
          created_at: store.nowSeconds(),
          name: null,
          description: null,
          model: body.model,
          instructions: null,
          tools: [],
          tool_resources: {},
          metadata: {},
          temperature: 1,
          top_p: 1,
          response_format: 'auto',
        };
        applyAssistantFields(assistant, body);
        assistants.set(assistant.id, assistant);
        send(res, assistant);
      },
    },
    {
      method: 'GET',
      path: '/assistants',
      handle: (req, res) => send(res, page([...assistants.values()], req, 'desc')),
    },
    {
      method: 'GET',
      path: '/assistants/:assistant_id',
      handle: (req, res) => withAssistant(req, res, (a) => send(res, a)),
    },
    {
      method: 'POST',
      path: '/assistants/:assistant_id',
      handle: (req, res) =>
        withAssistant(req, res, (a) => {
          applyAssistantFields(a, asObject(req.body));
          send(res, a);
        }),
    },
    {
      method: 'DELETE',
      path: '/assistants/:assistant_id',
      handle: (req, res) =>
        withAssistant(req, res, (a) => {
          assistants.delete(a.id);
          send(res, { id: a.id, object: 'assistant.deleted', deleted: true });
        }),
    },
  ];
}

/** Create and modify share this: a present key replaces the field, null clears it. */
function applyAssistantFields(assistant: WireAssistant, body: Record<string, unknown>): void {
  if (typeof body.model === 'string') assistant.model = body.model;
  for (const key of ['name', 'description', 'instructions'] as const) {
    if (key in body) assistant[key] = typeof body[key] === 'string' ? body[key] : null;
  }
  for (const key of ['temperature', 'top_p'] as const) {
    if (key in body) assistant[key] = typeof body[key] === 'number' ? body[key] : 1;
  }
  if ('tools' in body) assistant.tools = tools(body.tools);
  // Not in the published AssistantObject, but servers keep and echo it.
  if ('reasoning_effort' in body) Object.assign(assistant, { reasoning_effort: typeof body.reasoning_effort === 'string' ? body.reasoning_effort : null });
  if ('metadata' in body) assistant.metadata = stringMap(body.metadata);
  if ('response_format' in body) {
    const format = body.response_format;
    assistant.response_format = format === 'auto' || format === null || typeof format !== 'object' ? 'auto' : (structuredClone(format) as WireAssistant['response_format']);
  }
  if ('tool_resources' in body) {
    const raw = asObject(body.tool_resources);
    const ids = (value: unknown, key: string): string[] => {
      const list = asObject(value)[key];
      return Array.isArray(list) ? list.filter((v): v is string => typeof v === 'string') : [];
    };
    assistant.tool_resources = {
      ...('code_interpreter' in raw ? { code_interpreter: { file_ids: ids(raw.code_interpreter, 'file_ids') } } : {}),
      ...('file_search' in raw ? { file_search: { vector_store_ids: ids(raw.file_search, 'vector_store_ids') } } : {}),
    };
  }
}

function threadRoutes(server: FakeOpenAIServer, engine: V2Engine): Route[] {
  const { threads } = engine.state;
  const store = server.store;
  return [
    {
      method: 'POST',
      path: '/threads',
      handle(req, res) {
        const body = asObject(req.body);
        const thread: V2Thread = {
          object: { id: store.newId('thread'), object: 'thread', created_at: store.nowSeconds(), tool_resources: {}, metadata: stringMap(body.metadata) },
          messages: [],
          runIds: [],
        };
        threads.set(thread.object.id, thread);
        for (const raw of Array.isArray(body.messages) ? body.messages : []) addMessage(server, thread, asObject(raw));
        send(res, thread.object);
      },
    },
    {
      method: 'GET',
      path: '/threads/:thread_id',
      handle: (req, res) => withThread(engine, req, res, (t) => send(res, t.object)),
    },
    {
      method: 'POST',
      path: '/threads/:thread_id',
      handle: (req, res) =>
        withThread(engine, req, res, (t) => {
          const body = asObject(req.body);
          if ('metadata' in body) t.object.metadata = stringMap(body.metadata);
          send(res, t.object);
        }),
    },
    {
      method: 'DELETE',
      path: '/threads/:thread_id',
      handle: (req, res) =>
        withThread(engine, req, res, (t) => {
          threads.delete(t.object.id);
          for (const id of t.runIds) engine.state.runs.delete(id);
          send(res, { id: t.object.id, object: 'thread.deleted', deleted: true });
        }),
    },
    {
      method: 'POST',
      path: '/threads/:thread_id/messages',
      handle: (req, res) =>
        withThread(engine, req, res, (t) => {
          const active = engine.state.activeRun(t);
          if (active) return res.error(400, `Can't add messages to ${t.object.id} while a run ${active.object.id} is active.`, 'invalid_request_error');
          const body = asObject(req.body);
          if (body.role !== 'user' && body.role !== 'assistant') return res.error(400, "Invalid value for 'role'.", 'invalid_request_error', 'invalid_value');
          // As the service does, an attachment naming a file it does not have is refused.
          const unknownFile = attachments(body.attachments).flatMap((a) => (a.file_id ? [a.file_id] : [])).find((id) => !server.store.files.has(id));
          if (unknownFile) return res.error(404, `No file found with id '${unknownFile}'.`, 'invalid_request_error');
          send(res, addMessage(server, t, body));
        }),
    },
    {
      method: 'GET',
      path: '/threads/:thread_id/messages',
      handle: (req, res) =>
        withThread(engine, req, res, (t) => {
          const runId = req.query.get('run_id');
          send(res, page(t.messages.filter((m) => !runId || m.run_id === runId), req, 'desc'));
        }),
    },
    {
      method: 'GET',
      path: '/threads/:thread_id/messages/:message_id',
      handle: (req, res) =>
        withThread(engine, req, res, (t) => {
          const message = t.messages.find((m) => m.id === req.params.message_id);
          if (message) send(res, message);
          else notFound(res, `No message found with id '${req.params.message_id}'.`);
        }),
    },
    {
      method: 'DELETE',
      path: '/threads/:thread_id/messages/:message_id',
      handle: (req, res) =>
        withThread(engine, req, res, (t) => {
          const index = t.messages.findIndex((m) => m.id === req.params.message_id);
          if (index === -1) return notFound(res, `No message found with id '${req.params.message_id}'.`);
          t.messages.splice(index, 1);
          send(res, { id: req.params.message_id, object: 'thread.message.deleted', deleted: true });
        }),
    },
  ];
}

/** Adds a message; files attached for file_search go into the thread's own vector store, as the real service does. */
function addMessage(server: FakeOpenAIServer, thread: V2Thread, body: Record<string, unknown>): WireMessage {
  const files = attachments(body.attachments);
  const message = newMessage(server.store, thread.object.id, {
    role: body.role === 'assistant' ? 'assistant' : 'user',
    content: messageContent(body.content),
    attachments: files,
    metadata: stringMap(body.metadata),
  });
  thread.messages.push(message);
  const searchable = files.filter((a) => a.tools?.some((t) => t.type === 'file_search')).flatMap((a) => (a.file_id ? [a.file_id] : []));
  if (searchable.length > 0) {
    const resources = (thread.object.tool_resources ??= {});
    const existing = resources.file_search?.vector_store_ids?.[0];
    const vectorStore = existing ? server.store.vectorStores.get(existing) : undefined;
    if (vectorStore) server.store.attachFiles(vectorStore, searchable);
    else resources.file_search = { vector_store_ids: [server.store.createVectorStore(`Files of ${thread.object.id}`, searchable).id] };
  }
  return message;
}

function runRoutes(server: FakeOpenAIServer, engine: V2Engine): Route[] {
  const { threads, runs, assistants } = engine.state;
  const withRun = (req: FakeRequest, res: FakeResponse, then: (run: V2Run, thread: V2Thread) => void | Promise<void>): void | Promise<void> => {
    const thread = threads.get(req.params.thread_id);
    if (!thread) return notFound(res, `No thread found with id '${req.params.thread_id}'.`);
    const run = runs.get(req.params.run_id);
    if (!run || run.object.thread_id !== thread.object.id) return notFound(res, `No run found with id '${req.params.run_id}'.`);
    return then(run, thread);
  };
  /** Answers with the run now and plays it in the background, or streams it while playing. */
  const play = async (req: FakeRequest, res: FakeResponse, run: V2Run, action: (sink: EventSink | undefined) => Promise<void>): Promise<void> => {
    if (asObject(req.body).stream !== true) {
      // The action changes the status synchronously (a submit leaves requires_action) before the answer shows it.
      const playing = action(undefined);
      send(res, run.object);
      await playing;
      return;
    }
    const sse = res.sse();
    await action((name, data) => sse.event(name, data));
    await sse.done();
  };
  return [
    {
      method: 'POST',
      path: '/threads/:thread_id/runs',
      async handle(req, res) {
        const thread = threads.get(req.params.thread_id);
        if (!thread) return notFound(res, `No thread found with id '${req.params.thread_id}'.`);
        const body = asObject(req.body);
        const assistant = typeof body.assistant_id === 'string' ? assistants.get(body.assistant_id) : undefined;
        if (!assistant) return notFound(res, `No assistant found with id '${String(body.assistant_id)}'.`);
        // A vector store the assistant or the thread searches that the server no longer has refuses the run.
        const searched = [assistant.tool_resources?.file_search?.vector_store_ids, thread.object.tool_resources?.file_search?.vector_store_ids].flatMap((ids) => ids ?? []);
        const unknownStore = searched.find((id) => !server.store.vectorStores.has(id));
        if (unknownStore) return notFound(res, `Vector store with id '${unknownStore}' not found.`);
        const active = engine.state.activeRun(thread);
        if (active) return res.error(400, `Thread ${thread.object.id} already has an active run ${active.object.id}.`, 'invalid_request_error');
        for (const raw of Array.isArray(body.additional_messages) ? body.additional_messages : []) addMessage(server, thread, asObject(raw));
        const run = newRun(server, engine, thread, assistant, body, wantsResultContent(req));
        await play(req, res, run, (sink) => engine.start(run, sink));
      },
    },
    {
      method: 'GET',
      path: '/threads/:thread_id/runs',
      handle: (req, res) =>
        withThread(engine, req, res, (t) => send(res, page(t.runIds.flatMap((id) => runs.get(id)?.object ?? []), req, 'desc'))),
    },
    {
      method: 'GET',
      path: '/threads/:thread_id/runs/:run_id',
      handle: (req, res) => withRun(req, res, (run) => send(res, run.object, server.pollHeaders(isWorking(run.object)))),
    },
    {
      method: 'POST',
      path: '/threads/:thread_id/runs/:run_id/cancel',
      handle: (req, res) =>
        withRun(req, res, (run) => {
          const status = run.object.status;
          if (status !== 'queued' && status !== 'in_progress' && status !== 'requires_action') {
            return res.error(400, `Cannot cancel run with status '${status}'.`, 'invalid_request_error');
          }
          engine.requestCancel(run);
          send(res, run.object);
        }),
    },
    {
      method: 'POST',
      path: '/threads/:thread_id/runs/:run_id/submit_tool_outputs',
      handle: (req, res) =>
        withRun(req, res, async (run) => {
          if (run.object.status !== 'requires_action') {
            return res.error(400, `Runs in status "${run.object.status}" do not accept tool outputs.`, 'invalid_request_error');
          }
          const outputs = toolOutputs(asObject(req.body).tool_outputs);
          const expected = run.object.required_action?.submit_tool_outputs.tool_calls.map((c) => c.id) ?? [];
          const got = outputs.map((o) => o.callId);
          if (expected.length !== got.length || expected.some((id) => !got.includes(id))) {
            return res.error(400, `Expected tool outputs for call_ids ${JSON.stringify(expected)}, got ${JSON.stringify(got)}`, 'invalid_request_error');
          }
          await play(req, res, run, (sink) => engine.submit(run, outputs, sink));
        }),
    },
    {
      method: 'GET',
      path: '/threads/:thread_id/runs/:run_id/steps',
      handle: (req, res) => withRun(req, res, (run) => send(res, page(run.steps.map((s) => stepView(s, wantsResultContent(req))), req, 'desc'))),
    },
    {
      method: 'GET',
      path: '/threads/:thread_id/runs/:run_id/steps/:step_id',
      handle: (req, res) =>
        withRun(req, res, (run) => {
          const step = run.steps.find((s) => s.id === req.params.step_id);
          if (step) send(res, stepView(step, wantsResultContent(req)));
          else notFound(res, `No run step found with id '${req.params.step_id}'.`);
        }),
    },
  ];
}

function withThread(engine: V2Engine, req: FakeRequest, res: FakeResponse, then: (t: V2Thread) => void | Promise<void>): void | Promise<void> {
  const thread = engine.state.threads.get(req.params.thread_id);
  if (thread) return then(thread);
  else notFound(res, `No thread found with id '${req.params.thread_id}'.`);
}

function newRun(server: FakeOpenAIServer, engine: V2Engine, thread: V2Thread, assistant: WireAssistant, body: Record<string, unknown>, includeResultContent: boolean): V2Run {
  const store = server.store;
  const instructions = [typeof body.instructions === 'string' ? body.instructions : (assistant.instructions ?? ''), typeof body.additional_instructions === 'string' ? body.additional_instructions : '']
    .filter((s) => s !== '')
    .join('\n\n');
  const run: V2Run = {
    object: {
      id: store.newId('run'),
      object: 'thread.run',
      created_at: store.nowSeconds(),
      thread_id: thread.object.id,
      assistant_id: assistant.id,
      status: 'queued',
      required_action: null,
      last_error: null,
      expires_at: store.nowSeconds() + 600,
      started_at: null,
      cancelled_at: null,
      failed_at: null,
      completed_at: null,
      incomplete_details: null,
      model: typeof body.model === 'string' ? body.model : assistant.model,
      instructions,
      tools: Array.isArray(body.tools) ? tools(body.tools) : structuredClone(assistant.tools),
      metadata: stringMap(body.metadata),
      usage: null,
      temperature: typeof body.temperature === 'number' ? body.temperature : (assistant.temperature ?? 1),
      top_p: typeof body.top_p === 'number' ? body.top_p : (assistant.top_p ?? 1),
      max_prompt_tokens: null,
      max_completion_tokens: null,
      truncation_strategy: { type: 'auto', last_messages: null },
      tool_choice: 'auto',
      parallel_tool_calls: true,
      response_format: assistant.response_format ?? 'auto',
    },
    steps: [],
    turn: { steps: [] },
    next: 0,
    citations: [],
    outputs: [],
    figures: [],
    includeResultContent,
    cancelRequested: false,
    executing: false,
  };
  engine.state.runs.set(run.object.id, run);
  thread.runIds.push(run.object.id);
  run.turn = server.model.next(engine.context(run));
  return run;
}

function toolOutputs(raw: unknown): { callId: string; output: string }[] {
  if (!Array.isArray(raw)) return [];
  return raw.flatMap((item) => {
    const o = asObject(item);
    return typeof o.tool_call_id === 'string' ? [{ callId: o.tool_call_id, output: typeof o.output === 'string' ? o.output : '' }] : [];
  });
}
