import type { FakeOpenAIServer } from './fakeServer';
import type { FakeRequest, FakeResponse, Route } from './http';
import { asObject, isMultipartFile } from './http';
import type { FakeStore, StoredContainer, StoredContainerFile, StoredFile, StoredVectorStore, StoredVectorStoreFile } from './store';

/** The models `GET /models` lists. */
export const FAKE_MODELS = ['gpt-4.1', 'gpt-4.1-mini', 'gpt-4o', 'gpt-4o-mini', 'o4-mini'];

/** Files, vector stores, containers and models: the resources both protocols share. */
export function fileRoutes(server: FakeOpenAIServer): Route[] {
  const store = server.store;
  return [
    ...fileEndpoints(store),
    ...vectorStoreEndpoints(store),
    ...containerEndpoints(store),
    {
      method: 'GET',
      path: '/models',
      handle: (_req, res) => res.json(200, { object: 'list', data: FAKE_MODELS.map((id) => modelJson(id)) }),
    },
    {
      method: 'GET',
      path: '/models/:model',
      handle: (req, res) =>
        FAKE_MODELS.includes(req.params.model)
          ? res.json(200, modelJson(req.params.model))
          : notFound(res, `The model '${req.params.model}' does not exist`, 'model_not_found'),
    },
  ];
}

function fileEndpoints(store: FakeStore): Route[] {
  return [
    {
      method: 'POST',
      path: '/files',
      handle(req, res) {
        const body = asObject(req.body);
        const file = body.file;
        const purpose = typeof body.purpose === 'string' ? body.purpose : '';
        if (!isMultipartFile(file)) return res.error(400, "Missing required parameter: 'file'.", 'invalid_request_error', 'missing_required_parameter');
        if (!FILE_PURPOSES.includes(purpose)) return res.error(400, `Invalid value for 'purpose': ${purpose}.`, 'invalid_request_error', 'invalid_value');
        res.json(200, fileJson(store.addFile(file.filename, purpose, file.data)));
      },
    },
    {
      method: 'GET',
      path: '/files',
      handle(req, res) {
        const purpose = req.query.get('purpose');
        const files = [...store.files.values()].filter((f) => !purpose || f.purpose === purpose);
        res.json(200, page(files.map(fileJson), req, 'desc'));
      },
    },
    {
      method: 'GET',
      path: '/files/:file_id',
      handle: (req, res) => withFile(store, req, res, (file) => res.json(200, fileJson(file))),
    },
    {
      method: 'DELETE',
      path: '/files/:file_id',
      handle: (req, res) =>
        withFile(store, req, res, (file) => {
          store.files.delete(file.id);
          res.json(200, { id: file.id, object: 'file', deleted: true });
        }),
    },
    {
      method: 'GET',
      path: '/files/:file_id/content',
      handle: (req, res) => withFile(store, req, res, (file) => res.bytes(200, file.data, contentTypeOf(file.filename))),
    },
  ];
}

function vectorStoreEndpoints(store: FakeStore): Route[] {
  const withStore = (req: FakeRequest, res: FakeResponse, then: (vs: StoredVectorStore) => void): void => {
    const vs = store.vectorStores.get(req.params.vector_store_id);
    if (vs) then(vs);
    else notFound(res, `No vector store found with id '${req.params.vector_store_id}'.`);
  };
  const knownFiles = (res: FakeResponse, ids: unknown): string[] | undefined => {
    const list = Array.isArray(ids) ? ids.filter((id): id is string => typeof id === 'string') : [];
    const missing = list.find((id) => !store.files.has(id));
    if (missing) {
      notFound(res, `No file found with id '${missing}'.`);
      return undefined;
    }
    return list;
  };
  return [
    {
      method: 'POST',
      path: '/vector_stores',
      handle(req, res) {
        const body = asObject(req.body);
        const fileIds = knownFiles(res, body.file_ids);
        if (!fileIds) return;
        const vs = store.createVectorStore(typeof body.name === 'string' ? body.name : '', fileIds, stringRecord(body.metadata));
        res.json(200, vectorStoreJson(store, vs));
      },
    },
    {
      method: 'GET',
      path: '/vector_stores',
      handle: (req, res) => res.json(200, page([...store.vectorStores.values()].map((vs) => vectorStoreJson(store, vs)), req, 'desc')),
    },
    {
      method: 'GET',
      path: '/vector_stores/:vector_store_id',
      handle: (req, res) => withStore(req, res, (vs) => res.json(200, vectorStoreJson(store, vs))),
    },
    {
      method: 'POST',
      path: '/vector_stores/:vector_store_id',
      handle: (req, res) =>
        withStore(req, res, (vs) => {
          const body = asObject(req.body);
          if (typeof body.name === 'string') vs.name = body.name;
          if (body.metadata !== undefined) vs.metadata = stringRecord(body.metadata);
          res.json(200, vectorStoreJson(store, vs));
        }),
    },
    {
      method: 'DELETE',
      path: '/vector_stores/:vector_store_id',
      handle: (req, res) =>
        withStore(req, res, (vs) => {
          store.vectorStores.delete(vs.id);
          res.json(200, { id: vs.id, object: 'vector_store.deleted', deleted: true });
        }),
    },
    {
      method: 'POST',
      path: '/vector_stores/:vector_store_id/files',
      handle: (req, res) =>
        withStore(req, res, (vs) => {
          const body = asObject(req.body);
          const fileIds = knownFiles(res, [body.file_id]);
          if (!fileIds) return;
          if (fileIds.length === 0) return res.error(400, "Missing required parameter: 'file_id'.", 'invalid_request_error', 'missing_required_parameter');
          store.attachFiles(vs, fileIds, undefined, attributeRecord(body.attributes));
          res.json(200, vectorStoreFileJson(store, vs, vs.files.get(fileIds[0]) as StoredVectorStoreFile));
        }),
    },
    {
      method: 'GET',
      path: '/vector_stores/:vector_store_id/files',
      handle: (req, res) =>
        withStore(req, res, (vs) => {
          const filter = req.query.get('filter');
          const files = [...vs.files.values()].map((f) => vectorStoreFileJson(store, vs, f)).filter((f) => !filter || f.status === filter);
          res.json(200, page(files, req, 'desc'));
        }),
    },
    {
      method: 'GET',
      path: '/vector_stores/:vector_store_id/files/:file_id',
      handle: (req, res) =>
        withStore(req, res, (vs) => {
          const entry = vs.files.get(req.params.file_id);
          if (entry) res.json(200, vectorStoreFileJson(store, vs, entry));
          else notFound(res, `No file found with id '${req.params.file_id}' in vector store '${vs.id}'.`);
        }),
    },
    {
      method: 'DELETE',
      path: '/vector_stores/:vector_store_id/files/:file_id',
      handle: (req, res) =>
        withStore(req, res, (vs) => {
          if (!vs.files.delete(req.params.file_id)) return notFound(res, `No file found with id '${req.params.file_id}' in vector store '${vs.id}'.`);
          res.json(200, { id: req.params.file_id, object: 'vector_store.file.deleted', deleted: true });
        }),
    },
    {
      method: 'POST',
      path: '/vector_stores/:vector_store_id/file_batches',
      handle: (req, res) =>
        withStore(req, res, (vs) => {
          // As the OpenAPI description has it: `file_ids` (with shared attributes) or `files` (each with its own), 1 to 2,000.
          const body = asObject(req.body);
          if (body.file_ids !== undefined && body.files !== undefined) return res.error(400, "'file_ids' and 'files' are mutually exclusive.", 'invalid_request_error', 'invalid_value');
          const entries = Array.isArray(body.files)
            ? body.files.map((f) => ({ fileId: asObject(f).file_id, attributes: attributeRecord(asObject(f).attributes) }))
            : (Array.isArray(body.file_ids) ? body.file_ids : []).map((fileId: unknown) => ({ fileId, attributes: attributeRecord(body.attributes) }));
          if (entries.length === 0) return res.error(400, "Missing required parameter: 'file_ids' or 'files'.", 'invalid_request_error', 'missing_required_parameter');
          if (entries.length > MAX_BATCH_FILES) return res.error(400, `A batch takes at most ${MAX_BATCH_FILES} files; ${entries.length} were given.`, 'invalid_request_error', 'array_above_max_length');
          const fileIds = knownFiles(res, entries.map((e) => e.fileId));
          if (!fileIds) return;
          const batch = { id: store.newId('vsfb'), createdAt: store.nowSeconds(), fileIds };
          vs.batches.set(batch.id, batch);
          for (const [i, fileId] of fileIds.entries()) store.attachFiles(vs, [fileId], batch.id, entries[i].attributes);
          res.json(200, batchJson(store, vs, batch.id));
        }),
    },
    {
      method: 'GET',
      path: '/vector_stores/:vector_store_id/file_batches/:batch_id',
      handle: (req, res) =>
        withStore(req, res, (vs) =>
          vs.batches.has(req.params.batch_id) ? res.json(200, batchJson(store, vs, req.params.batch_id)) : notFound(res, `No batch found with id '${req.params.batch_id}'.`),
        ),
    },
    {
      method: 'GET',
      path: '/vector_stores/:vector_store_id/file_batches/:batch_id/files',
      handle: (req, res) =>
        withStore(req, res, (vs) => {
          const files = [...vs.files.values()].filter((f) => f.batchId === req.params.batch_id).map((f) => vectorStoreFileJson(store, vs, f));
          res.json(200, page(files, req, 'desc'));
        }),
    },
  ];
}

function containerEndpoints(store: FakeStore): Route[] {
  const withContainer = (req: FakeRequest, res: FakeResponse, then: (c: StoredContainer) => void): void => {
    const container = store.containers.get(req.params.container_id);
    if (container) then(container);
    else notFound(res, `Container with id '${req.params.container_id}' not found.`);
  };
  const withContainerFile = (req: FakeRequest, res: FakeResponse, then: (c: StoredContainer, f: StoredContainerFile) => void): void =>
    withContainer(req, res, (c) => {
      const file = c.files.get(req.params.file_id);
      if (file) then(c, file);
      else notFound(res, `File with id '${req.params.file_id}' not found in container '${c.id}'.`);
    });
  return [
    {
      method: 'POST',
      path: '/containers',
      handle(req, res) {
        const name = asObject(req.body).name;
        res.json(200, containerJson(store.createContainer(typeof name === 'string' ? name : 'container')));
      },
    },
    {
      method: 'GET',
      path: '/containers',
      handle: (req, res) => res.json(200, page([...store.containers.values()].map(containerJson), req, 'desc')),
    },
    {
      method: 'GET',
      path: '/containers/:container_id',
      handle: (req, res) => withContainer(req, res, (c) => res.json(200, containerJson(c))),
    },
    {
      method: 'DELETE',
      path: '/containers/:container_id',
      handle: (req, res) =>
        withContainer(req, res, (c) => {
          store.containers.delete(c.id);
          res.json(200, { id: c.id, object: 'container.deleted', deleted: true });
        }),
    },
    {
      method: 'GET',
      path: '/containers/:container_id/files',
      handle: (req, res) => withContainer(req, res, (c) => res.json(200, page([...c.files.values()].map((f) => containerFileJson(c, f)), req, 'desc'))),
    },
    {
      method: 'GET',
      path: '/containers/:container_id/files/:file_id',
      handle: (req, res) => withContainerFile(req, res, (c, f) => res.json(200, containerFileJson(c, f))),
    },
    {
      method: 'GET',
      path: '/containers/:container_id/files/:file_id/content',
      handle: (req, res) => withContainerFile(req, res, (_c, f) => res.bytes(200, f.data, contentTypeOf(f.path))),
    },
  ];
}

/** The most files one vector store file batch takes (`CreateVectorStoreFileBatchRequest`). */
const MAX_BATCH_FILES = 2000;

const FILE_PURPOSES = ['assistants', 'batch', 'fine-tune', 'vision', 'user_data', 'evals'];

function withFile(store: FakeStore, req: FakeRequest, res: FakeResponse, then: (file: StoredFile) => void): void {
  const file = store.files.get(req.params.file_id);
  if (file) then(file);
  else notFound(res, `No such File object: ${req.params.file_id}`);
}

/** 404 in OpenAI's shape. */
export function notFound(res: FakeResponse, message: string, code: string | null = null): void {
  res.error(404, message, 'invalid_request_error', code);
}

/** A cursor page (`after`, `before`, `limit`, `order`) in OpenAI's list shape; `items` are in creation order. */
export function page<T extends { id: string }>(items: T[], req: FakeRequest, defaultOrder: 'asc' | 'desc'): unknown {
  const order = req.query.get('order') ?? defaultOrder;
  let sorted = order === 'desc' ? [...items].reverse() : [...items];
  const after = req.query.get('after');
  if (after) sorted = sorted.slice(sorted.findIndex((i) => i.id === after) + 1);
  const before = req.query.get('before');
  if (before) {
    const index = sorted.findIndex((i) => i.id === before);
    if (index !== -1) sorted = sorted.slice(0, index);
  }
  const limit = Math.min(100, Math.max(1, Number(req.query.get('limit') ?? 20) || 20));
  const data = sorted.slice(0, limit);
  // The schema types first_id/last_id as strings, so an empty page carries empty strings.
  return { object: 'list', data, first_id: data[0]?.id ?? '', last_id: data[data.length - 1]?.id ?? '', has_more: sorted.length > limit };
}

function stringRecord(value: unknown): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(asObject(value))) if (typeof v === 'string') out[k] = v;
  return out;
}

/** A vector store file's attributes as sent: strings, numbers and booleans; anything else is dropped. */
function attributeRecord(value: unknown): Record<string, string | number | boolean> {
  const out: Record<string, string | number | boolean> = {};
  for (const [k, v] of Object.entries(asObject(value))) if (typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean') out[k] = v;
  return out;
}

function contentTypeOf(name: string): string {
  if (name.endsWith('.png')) return 'image/png';
  if (name.endsWith('.json')) return 'application/json';
  if (/\.(md|txt|ts|js|py|csv)$/.test(name)) return 'text/plain';
  return 'application/octet-stream';
}

function modelJson(id: string): unknown {
  return { id, object: 'model', created: 1715367049, owned_by: 'system' };
}

/** The `file` object. */
export function fileJson(file: StoredFile): { id: string } & Record<string, unknown> {
  return { id: file.id, object: 'file', bytes: file.bytes, created_at: file.createdAt, filename: file.filename, purpose: file.purpose, status: 'processed' };
}

function counts(store: FakeStore, files: StoredVectorStoreFile[]): Record<'in_progress' | 'completed' | 'failed' | 'cancelled' | 'total', number> {
  const statuses = files.map((f) => store.vectorStoreFileStatus(f));
  const count = (s: string): number => statuses.filter((x) => x === s).length;
  return { in_progress: count('in_progress'), completed: count('completed'), failed: count('failed'), cancelled: 0, total: files.length };
}

function vectorStoreJson(store: FakeStore, vs: StoredVectorStore): { id: string } & Record<string, unknown> {
  const files = [...vs.files.values()];
  const fileCounts = counts(store, files);
  const usage = files.reduce((sum, f) => sum + (store.files.get(f.fileId)?.bytes ?? 0), 0);
  return {
    id: vs.id,
    object: 'vector_store',
    created_at: vs.createdAt,
    name: vs.name,
    usage_bytes: usage,
    file_counts: fileCounts,
    status: fileCounts.in_progress > 0 ? 'in_progress' : 'completed',
    expires_at: null,
    last_active_at: vs.createdAt,
    metadata: vs.metadata,
  };
}

function vectorStoreFileJson(store: FakeStore, vs: StoredVectorStore, entry: StoredVectorStoreFile): { id: string; status: string } & Record<string, unknown> {
  const status = store.vectorStoreFileStatus(entry);
  return {
    id: entry.fileId,
    object: 'vector_store.file',
    usage_bytes: store.files.get(entry.fileId)?.bytes ?? 0,
    created_at: entry.createdAt,
    vector_store_id: vs.id,
    status,
    last_error: status === 'failed' ? (store.vectorStoreFileError(entry) ?? null) : null,
    chunking_strategy: { type: 'static', static: { max_chunk_size_tokens: 800, chunk_overlap_tokens: 400 } },
    attributes: entry.attributes,
  };
}

function batchJson(store: FakeStore, vs: StoredVectorStore, batchId: string): unknown {
  const batch = vs.batches.get(batchId);
  const files = [...vs.files.values()].filter((f) => f.batchId === batchId);
  const fileCounts = counts(store, files);
  return {
    id: batchId,
    object: 'vector_store.files_batch',
    created_at: batch?.createdAt ?? store.nowSeconds(),
    vector_store_id: vs.id,
    status: fileCounts.in_progress > 0 ? 'in_progress' : 'completed',
    file_counts: fileCounts,
  };
}

function containerJson(c: StoredContainer): { id: string } & Record<string, unknown> {
  return { id: c.id, object: 'container', name: c.name, created_at: c.createdAt, status: 'running', last_active_at: c.createdAt, expires_after: { anchor: 'last_active_at', minutes: 20 } };
}

function containerFileJson(c: StoredContainer, f: StoredContainerFile): { id: string } & Record<string, unknown> {
  return { id: f.id, object: 'container.file', container_id: c.id, created_at: f.createdAt, bytes: f.data.length, path: f.path, source: f.source };
}
