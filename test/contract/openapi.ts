import * as fs from 'node:fs';
import * as path from 'node:path';
import type { ErrorObject, ValidateFunction } from 'ajv';
import Ajv2020 from 'ajv/dist/2020';
import addFormats from 'ajv-formats';
import { parse } from 'yaml';

/** OpenAI's OpenAPI description, kept in this folder (source and date in its README; `npm run contract:refresh` renews it). */
export const SPEC_PATH = path.join(__dirname, 'openai-openapi.yaml');

/** One server-sent event as recorded: the `event:` name and the parsed `data:`. */
export interface SseEvent {
  event: string;
  data: unknown;
}

interface Operation {
  requestBody?: { content?: Record<string, { schema?: unknown }> };
  responses?: Record<string, { $ref?: string; content?: Record<string, { schema?: unknown }> }>;
}

type Spec = { paths: Record<string, Record<string, Operation>>; components: Record<string, Record<string, unknown>> };

const SCHEMA_ID = 'openai-openapi';
let spec: Spec | undefined;
let ajv: Ajv2020 | undefined;
const compiled = new Map<string, ValidateFunction>();

/** The parsed spec, parsed once per process (the file is 3 MB). */
export function loadSpec(): Spec {
  spec ??= parse(fs.readFileSync(SPEC_PATH, 'utf8'), { maxAliasCount: -1 }) as Spec;
  return spec;
}

function validator(): Ajv2020 {
  if (ajv) return ajv;
  const doc = loadSpec();
  const instance = new Ajv2020({ strict: false, allErrors: true, validateSchema: false, logger: false });
  addFormats(instance);
  // OpenAPI-only formats carry no constraint a JSON value could break.
  for (const format of ['unixtime', 'float', 'double', 'int32', 'int64', 'binary', 'byte', 'password']) instance.addFormat(format, true);
  instance.addSchema(toJsonSchema({ $id: SCHEMA_ID, components: mended(doc.components), paths: doc.paths }) as Record<string, unknown>, SCHEMA_ID);
  ajv = instance;
  return instance;
}

/**
 * The components with the description's known slips mended, each one the official SDK contradicts:
 * `MCPApprovalResponse` and its resource require a `request_id` they never define (the SDK's
 * `McpApprovalResponse` has no such field, and the API refuses fields it does not know), so no
 * valid approval could pass. Only that requirement is dropped.
 */
function mended(components: Spec['components']): Spec['components'] {
  const schemas = structuredClone(components.schemas ?? {}) as Record<string, { required?: string[] }>;
  for (const name of ['MCPApprovalResponse', 'MCPApprovalResponseResource']) {
    const schema = schemas[name];
    if (schema?.required) schema.required = schema.required.filter((field) => field !== 'request_id');
  }
  return { ...components, schemas };
}

/**
 * A copy with the few OpenAPI 3.0 leftovers the file still has rewritten as JSON Schema 2020-12:
 * `nullable: true` becomes a `null` alternative (Ajv refuses `nullable` without `type`).
 */
function toJsonSchema(node: unknown): unknown {
  if (Array.isArray(node)) return node.map(toJsonSchema);
  if (typeof node !== 'object' || node === null) return node;
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(node)) if (key !== 'nullable' || typeof value !== 'boolean') out[key] = toJsonSchema(value);
  if ((node as { nullable?: unknown }).nullable !== true) return out;
  if (typeof out.type === 'string') return { ...out, type: [out.type, 'null'] };
  return { anyOf: [out, { type: 'null' }] };
}

/** Compiles `{ $ref }` (a pointer into the spec) once. */
function compile(pointer: string): ValidateFunction {
  let fn = compiled.get(pointer);
  if (!fn) {
    fn = validator().compile({ $ref: `${SCHEMA_ID}${pointer}` });
    compiled.set(pointer, fn);
  }
  return fn;
}

function run(pointer: string, value: unknown, label: string): string[] {
  const fn = compile(pointer);
  return fn(value) ? [] : describe(fn.errors ?? [], label);
}

/** Validates `value` against `#/components/schemas/<name>`; returns readable errors (empty when valid). */
export function validateSchema(name: string, value: unknown): string[] {
  if (!loadSpec().components.schemas?.[name]) return [`unknown schema '${name}'`];
  return run(`#/components/schemas/${escape(name)}`, value, name);
}

/** Validates a request body against the operation for `method` and a `/v1/...` (or bare) path. */
export function validateRequest(method: string, requestPath: string, body: unknown): string[] {
  const found = findOperation(method, requestPath);
  if (!found) return [`no operation for ${method.toUpperCase()} ${requestPath}`];
  const content = found.operation.requestBody?.content;
  if (!content) return body === undefined || isEmptyObject(body) ? [] : [`${found.label} takes no request body`];
  const type = content['application/json'] ? 'application/json' : Object.keys(content)[0];
  const pointer = `#/paths/${escape(found.template)}/${found.method}/requestBody/content/${escape(type)}/schema`;
  return runOperation(pointer, content[type]?.schema, type === 'multipart/form-data' ? multipartView(body) : body, `${found.label} request`);
}

/**
 * Validates a response body against the operation's response for `status` (or `default`). A list of recorded
 * SSE events is validated event by event (see `validateSseEvents`). Non-JSON bodies (file content) are not checked.
 */
export function validateResponse(method: string, requestPath: string, status: number, body: unknown): string[] {
  if (isEventList(body)) return validateSseEvents(method, requestPath, body);
  const found = findOperation(method, requestPath);
  // An error for a path the API does not have (the 404 of an unknown route) still has OpenAI's error shape.
  if (!found) return status >= 400 ? validateSchema('ErrorResponse', body) : [`no operation for ${method.toUpperCase()} ${requestPath}`];
  const responses = found.operation.responses ?? {};
  const key = responses[String(status)] ? String(status) : responses.default ? 'default' : undefined;
  if (!key) return status >= 400 ? validateSchema('ErrorResponse', body) : [`${found.label} declares no ${status} response`];
  const declared = responses[key];
  const base = declared.$ref ?? `#/paths/${escape(found.template)}/${found.method}/responses/${key}`;
  const content = declared.$ref ? resolve(declared.$ref)?.content : declared.content;
  // Binary answers (file content) are described as a bare string: there is no structure to check.
  if (!content?.['application/json'] || Buffer.isBuffer(body)) return [];
  return run(`${base}/content/application~1json/schema`, body, `${found.label} ${status}`);
}

/**
 * Validates recorded SSE events: Responses streams by their `data` against the operation's event-stream schema
 * (ResponseStreamEvent); Assistants streams by `{ event, data }` against AssistantStreamEvent.
 */
export function validateSseEvents(method: string, requestPath: string, events: SseEvent[]): string[] {
  const bare = stripPrefix(requestPath);
  const errors: string[] = [];
  const responses = bare === '/responses' || /^\/responses\/[^/]+$/.test(bare);
  events.forEach((e, i) => {
    const label = `${method.toUpperCase()} ${bare} event #${i} (${e.event})`;
    if (responses) {
      const data = e.data as { type?: unknown } | undefined;
      if (data?.type !== e.event) errors.push(`${label}: data.type '${String(data?.type)}' differs from the event name`);
      errors.push(...validateSchema('ResponseStreamEvent', e.data).map((m) => `${label}: ${m}`));
    } else {
      errors.push(...validateSchema('AssistantStreamEvent', e).map((m) => `${label}: ${m}`));
    }
  });
  return errors;
}

interface FoundOperation {
  template: string;
  method: string;
  operation: Operation;
  label: string;
}

function findOperation(method: string, requestPath: string): FoundOperation | undefined {
  const doc = loadSpec();
  const bare = stripPrefix(requestPath.split('?')[0]);
  const want = bare.split('/');
  const lower = method.toLowerCase();
  let best: { template: string; literals: number } | undefined;
  for (const template of Object.keys(doc.paths)) {
    if (template.includes('?') || !doc.paths[template][lower]) continue;
    const segments = template.split('/');
    if (segments.length !== want.length) continue;
    let literals = 0;
    const ok = segments.every((s, i) => {
      if (/^\{[^}]+\}$/.test(s)) return want[i] !== '';
      literals += 1;
      return s === want[i];
    });
    if (ok && (!best || literals > best.literals)) best = { template, literals };
  }
  if (!best) return undefined;
  return { template: best.template, method: lower, operation: doc.paths[best.template][lower], label: `${method.toUpperCase()} ${best.template}` };
}

function runOperation(pointer: string, schema: unknown, value: unknown, label: string): string[] {
  if (schema === undefined) return [];
  return run(pointer, value, label);
}

function resolve(ref: string): { content?: Record<string, { schema?: unknown }> } | undefined {
  let node: unknown = loadSpec();
  for (const part of ref.replace(/^#\//, '').split('/')) {
    node = (node as Record<string, unknown> | undefined)?.[part.replace(/~1/g, '/').replace(/~0/g, '~')];
  }
  return node as { content?: Record<string, { schema?: unknown }> } | undefined;
}

function stripPrefix(p: string): string {
  const clean = p.replace(/\/+$/, '');
  return clean.startsWith('/v1/') ? clean.slice(3) : clean;
}

/** JSON-pointer escaping of one segment. */
function escape(segment: string): string {
  return segment.replace(/~/g, '~0').replace(/\//g, '~1');
}

/** Multipart fields as the schema sees them: files become strings (format: binary). */
function multipartView(body: unknown): unknown {
  if (typeof body !== 'object' || body === null) return body;
  const view: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(body)) {
    view[key] = typeof value === 'object' && value !== null && 'data' in value ? '<binary>' : value;
  }
  return view;
}

function isEventList(body: unknown): body is SseEvent[] {
  return Array.isArray(body) && body.every((e) => typeof e === 'object' && e !== null && typeof (e as SseEvent).event === 'string' && 'data' in e);
}

function isEmptyObject(body: unknown): boolean {
  return typeof body === 'object' && body !== null && Object.keys(body).length === 0;
}

function describe(errors: ErrorObject[], label: string): string[] {
  // oneOf/anyOf failures list every branch; keep the deepest messages first, they say what is actually wrong.
  const sorted = [...errors].sort((a, b) => b.instancePath.length - a.instancePath.length);
  const seen = new Set<string>();
  const out: string[] = [];
  for (const e of sorted) {
    const params = Object.keys(e.params).length > 0 ? ` ${JSON.stringify(e.params)}` : '';
    const line = `${label}${e.instancePath || '/'} ${e.message ?? 'is invalid'}${params}`;
    if (!seen.has(line)) {
      seen.add(line);
      out.push(line);
    }
  }
  return out.slice(0, 12);
}
