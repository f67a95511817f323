import type { FakeOpenAIServer } from './fakeServer';
import { notFound, page } from './fileRoutes';
import type { FakeRequest, FakeResponse, Route } from './http';
import { asObject } from './http';
import type { FakeStore } from './store';

/** A stored item: the JSON the API shows (always with an `id`). */
export type Item = Record<string, unknown> & { id: string; type: string };

export interface StoredConversation {
  id: string;
  createdAt: number;
  metadata: Record<string, unknown>;
  items: Item[];
}

/** The map that holds conversations in the store. */
export function conversations(store: FakeStore): Map<string, StoredConversation> {
  return store.collection<StoredConversation>('conversations');
}

/** Turns a Responses input item (or `EasyInputMessage`) into the item the conversation stores. */
export function toItem(store: FakeStore, input: unknown): Item | undefined {
  const raw = asObject(input);
  const type = typeof raw.type === 'string' ? raw.type : 'message';
  if (type === 'message') {
    const role = typeof raw.role === 'string' ? raw.role : 'user';
    const content = typeof raw.content === 'string' ? [textPart(role, raw.content)] : Array.isArray(raw.content) ? raw.content.map((p) => normalisePart(role, p)) : [];
    return { id: idOf(raw) ?? store.newId('msg'), type: 'message', status: 'completed', role, content };
  }
  if (type === 'function_call_output') {
    return { ...raw, id: idOf(raw) ?? store.newId('fco'), type, status: 'completed' };
  }
  if (type === 'item_reference') return undefined;
  return { ...raw, id: idOf(raw) ?? store.newId(type === 'function_call' ? 'fc' : 'item'), type, status: typeof raw.status === 'string' ? raw.status : 'completed' };
}

/** The plain text of a message item's content. */
export function textOf(item: Record<string, unknown>): string {
  if (typeof item.content === 'string') return item.content;
  if (!Array.isArray(item.content)) return '';
  return item.content
    .map((p) => asObject(p))
    .map((p) => (typeof p.text === 'string' ? p.text : ''))
    .join('');
}

function idOf(raw: Record<string, unknown>): string | undefined {
  return typeof raw.id === 'string' && raw.id !== '' ? raw.id : undefined;
}

function textPart(role: string, text: string): Record<string, unknown> {
  return role === 'assistant' ? { type: 'output_text', text, annotations: [], logprobs: [] } : { type: 'input_text', text };
}

function normalisePart(role: string, part: unknown): Record<string, unknown> {
  const p = asObject(part);
  if (p.type === 'output_text') return { annotations: [], logprobs: [], ...p };
  if (typeof p.type !== 'string' && typeof p.text === 'string') return textPart(role, p.text);
  return p;
}

function conversationJson(c: StoredConversation): unknown {
  return { id: c.id, object: 'conversation', created_at: c.createdAt, metadata: c.metadata };
}

/** Conversations: 404 everywhere when the server is configured without them (a local model server). */
export function conversationRoutes(server: FakeOpenAIServer): Route[] {
  const store = server.store;
  const map = conversations(store);
  const guard =
    (handler: (req: FakeRequest, res: FakeResponse) => void) =>
    (req: FakeRequest, res: FakeResponse): void => {
      if (!server.options.conversations) return res.error(404, `Invalid URL (${req.method} /v1${req.path})`, 'invalid_request_error', null);
      handler(req, res);
    };
  const withConversation =
    (handler: (c: StoredConversation, req: FakeRequest, res: FakeResponse) => void) =>
    (req: FakeRequest, res: FakeResponse): void => {
      const c = map.get(req.params.conversation_id);
      if (c) handler(c, req, res);
      else notFound(res, `Conversation with id '${req.params.conversation_id}' not found.`);
    };
  const addItems = (c: StoredConversation, inputs: unknown): Item[] => {
    const items = (Array.isArray(inputs) ? inputs : []).map((i) => toItem(store, i)).filter((i): i is Item => i !== undefined);
    c.items.push(...items);
    return items;
  };
  return [
    {
      method: 'POST',
      path: '/conversations',
      handle: guard((req, res) => {
        const body = asObject(req.body);
        const c: StoredConversation = { id: store.newId('conv'), createdAt: store.nowSeconds(), metadata: asObject(body.metadata), items: [] };
        map.set(c.id, c);
        addItems(c, body.items);
        res.json(200, conversationJson(c));
      }),
    },
    {
      method: 'GET',
      path: '/conversations/:conversation_id',
      handle: guard(withConversation((c, _req, res) => res.json(200, conversationJson(c)))),
    },
    {
      method: 'POST',
      path: '/conversations/:conversation_id',
      handle: guard(
        withConversation((c, req, res) => {
          c.metadata = asObject(asObject(req.body).metadata);
          res.json(200, conversationJson(c));
        }),
      ),
    },
    {
      method: 'DELETE',
      path: '/conversations/:conversation_id',
      handle: guard(
        withConversation((c, _req, res) => {
          map.delete(c.id);
          res.json(200, { id: c.id, object: 'conversation.deleted', deleted: true });
        }),
      ),
    },
    {
      method: 'GET',
      path: '/conversations/:conversation_id/items',
      handle: guard(withConversation((c, req, res) => res.json(200, page(c.items, req, 'desc')))),
    },
    {
      method: 'POST',
      path: '/conversations/:conversation_id/items',
      handle: guard(
        withConversation((c, req, res) => {
          const items = addItems(c, asObject(req.body).items);
          res.json(200, { object: 'list', data: items, first_id: items[0]?.id ?? '', last_id: items[items.length - 1]?.id ?? '', has_more: false });
        }),
      ),
    },
    {
      method: 'GET',
      path: '/conversations/:conversation_id/items/:item_id',
      handle: guard(
        withConversation((c, req, res) => {
          const item = c.items.find((i) => i.id === req.params.item_id);
          if (item) res.json(200, item);
          else notFound(res, `Item with id '${req.params.item_id}' not found.`);
        }),
      ),
    },
    {
      method: 'DELETE',
      path: '/conversations/:conversation_id/items/:item_id',
      handle: guard(
        withConversation((c, req, res) => {
          const index = c.items.findIndex((i) => i.id === req.params.item_id);
          if (index === -1) return notFound(res, `Item with id '${req.params.item_id}' not found.`);
          c.items.splice(index, 1);
          res.json(200, conversationJson(c));
        }),
      ),
    },
  ];
}
