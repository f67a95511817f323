import type { ErrorObject } from 'ajv';
import { deeperThan, jsonObjectWiderThan, MAX_OBJECT_KEYS, MAX_SCHEMA_DEPTH } from '../text/jsonDepth';
import { boundedAjv, tooManyEnumValues } from '../text/boundedAjv';
import { duplicateKey } from '../text/duplicateKeys';
import { unshowableIn } from '../../common/showable';
import schema from '../../../schemas/assistant.schema.json';
import { mcpFileErrors } from './mcpFileRules';
import type { FieldError, FileMcpFilter, FileMcpTool, FileTool } from './assistantFileShape';
import { WORKSPACE_FUNCTION_NAMES } from './assistantFileShape';
import type { AssistantDraft, JsonSchema, McpApprovalSetting, McpServerTool, McpToolFilter, ReasoningEffort, ResponseFormat, ToolDefinition } from '../../common/model';

// The file's tools, its field errors and the names its functions cannot bind are defined in
// assistantFileShape.ts, which the file's MCP rules (mcpFileRules.ts) name too: so neither module
// imports the other. Callers name them from here.
export type { FieldError, FileMcpFilter, FileMcpTool, FileTool, FunctionBinding } from './assistantFileShape';

/**
 * An assistant kept as a file (`<slug>.assistant.json`): the body of the seeds' `assistants.create`
 * call (snake_case, as in the Assistants v2 API reference) plus a format version. The same fields
 * make a Responses request. The JSON Schema in `schemas/assistant.schema.json` describes it; the
 * extension contributes it for hand editing and validates with it at run time.
 */
export interface AssistantFile {
  $schema?: string;
  version: typeof ASSISTANT_FILE_VERSION;
  name: string;
  description?: string;
  instructions?: string;
  model: string;
  tools?: FileTool[];
  tool_resources?: {
    file_search?: { vector_store_ids?: string[] };
    code_interpreter?: { file_ids?: string[] };
  };
  temperature?: number;
  top_p?: number;
  response_format?: 'auto' | { type: 'text' } | { type: 'json_object' } | { type: 'json_schema'; json_schema: { name: string; schema: JsonSchema; strict?: boolean; description?: string } };
  reasoning_effort?: ReasoningEffort;
  metadata?: Record<string, string>;
}

export const ASSISTANT_FILE_VERSION = 1;
export const ASSISTANT_FILE_SUFFIX = '.assistant.json';
/**
 * The largest assistant file read, in bytes: the schema's own limits (256,000 characters of
 * instructions, 128 tools) fit many times over. A repository's larger file is listed with the
 * reason, unread (600 MB of it could not even be made a string, and hid every assistant).
 */
export const MAX_ASSISTANT_FILE_BYTES = 4 * 1024 * 1024;

/**
 * Why an assistant file of `size` bytes (over `MAX_ASSISTANT_FILE_BYTES`) is not read, as the end of a
 * sentence that names the file: "is 5.0 MB, larger than an assistant file may be (4.0 MB), so it is
 * not read; shorten it". Without `size` (a file that said it was smaller, and held more when read):
 * "is larger than an assistant file may be (4.0 MB), …".
 */
export function oversizedReason(size?: number): string {
  return `is ${size === undefined ? '' : `${megabytes(size)}, `}larger than an assistant file may be (${megabytes(MAX_ASSISTANT_FILE_BYTES)}), so it is not read; shorten it`;
}

/** `bytes` in megabytes: one decimal below 10 MB, none above. */
function megabytes(bytes: number): string {
  return `${(bytes / (1024 * 1024)).toFixed(bytes < 10 * 1024 * 1024 ? 1 : 0)} MB`;
}

const ajv = boundedAjv({ allErrors: true });
const validateFile = ajv.compile<AssistantFile>(schema);

/** A file nests at most this deep: its parameters and response schemas at MAX_SCHEMA_DEPTH, and the few levels above them. */
const MAX_FILE_DEPTH = MAX_SCHEMA_DEPTH + 8;

/**
 * Checks a parsed value against the assistant schema, and the rules of strict functions and
 * strict response schemas the schema cannot say (every object closed, every property required).
 * Returns the problems, none when the value is a valid assistant file.
 */
export function validateAssistantFile(value: unknown): FieldError[] {
  const version = typeof value === 'object' && value !== null ? (value as { version?: unknown }).version : undefined;
  if (typeof version === 'number' && version > ASSISTANT_FILE_VERSION) {
    return [{ path: '/version', message: `this file is format version ${version}, newer than this extension reads (version ${ASSISTANT_FILE_VERSION}); update the extension` }];
  }
  // A schema nested thousands deep overflows the stack of every recursive check below (the
  // validator's, then the strict rules'), and one of 100,000 enum values holds the host reading
  // them: measured first, without recursion, and refused.
  const large = tooLarge(value);
  if (large.length > 0) return large;
  try {
    return checkedAssistantFile(value);
  } catch (error) {
    return [{ path: '', message: `this file cannot be checked (${error instanceof Error ? error.message : String(error)}); simplify its schemas` }];
  }
}

function tooLarge(value: unknown): FieldError[] {
  const tools = typeof value === 'object' && value !== null && Array.isArray((value as { tools?: unknown }).tools) ? ((value as { tools: unknown[] }).tools) : [];
  const errors: FieldError[] = [];
  tools.forEach((tool, index) => {
    const parameters = (tool as { function?: { parameters?: unknown } } | null)?.function?.parameters;
    if (deeperThan(parameters, MAX_SCHEMA_DEPTH)) errors.push({ path: `/tools/${index}/function/parameters`, message: `nests deeper than ${MAX_SCHEMA_DEPTH} levels; flatten the schema` });
    else {
      const tooMany = tooManyEnumValues(parameters);
      if (tooMany) errors.push({ path: `/tools/${index}/function/parameters`, message: tooMany });
    }
  });
  const format = typeof value === 'object' && value !== null ? (value as { response_format?: { json_schema?: { schema?: unknown } } | null }).response_format : undefined;
  const formatEnums = typeof format === 'object' && format !== null ? tooManyEnumValues(format.json_schema?.schema) : undefined;
  if (formatEnums) errors.push({ path: '/response_format/json_schema/schema', message: formatEnums });
  if (errors.length === 0 && deeperThan(value, MAX_FILE_DEPTH)) errors.push({ path: '', message: `the file nests deeper than ${MAX_FILE_DEPTH} levels; an assistant file may nest at most ${MAX_FILE_DEPTH}` });
  return errors;
}

function checkedAssistantFile(value: unknown): FieldError[] {
  if (!validateFile(value)) return readableErrors(validateFile.errors ?? []);
  const errors: FieldError[] = [];
  const named = new Map<string, number>();
  // A repository's name goes into lists, dialogs and the log: a line break or a direction override
  // there could split a log line or turn the words of a dialog around.
  const unshowable = unshowableIn(value.name);
  if (unshowable) errors.push({ path: '/name', message: `holds ${unshowable}, a line break, control or text-direction character; a name is shown on one line as written, so it may hold none` });
  errors.push(...mcpFileErrors(value.tools ?? []));
  value.tools?.forEach((tool, index) => {
    if (tool.type !== 'function') return;
    const { name } = tool.function;
    const first = named.get(name);
    if (first === undefined) named.set(name, index);
    else errors.push({ path: `/tools/${index}/function/name`, message: `${name} is already the name of tools/${first}; a request with two tools of one name is refused` });
    // Its calls go to the workspace function, so the command would silently never run.
    if (tool['x-vscode'] && WORKSPACE_FUNCTION_NAMES.includes(name)) {
      errors.push({ path: `/tools/${index}/x-vscode`, message: `${name} is a workspace function, which answers its calls, so this command would never run; give the function another name` });
    }
    if (tool.function.strict && tool.function.parameters) {
      errors.push(...strictSchemaErrors(tool.function.parameters, `/tools/${index}/function/parameters`));
    }
  });
  const format = value.response_format;
  if (typeof format === 'object' && format.type === 'json_schema' && format.json_schema.strict) {
    errors.push(...strictSchemaErrors(format.json_schema.schema, '/response_format/json_schema/schema'));
  }
  return errors;
}

/** Checks one JSON Schema (a function's parameters) on its own, for the form's schema field. */
export function validateJsonSchema(value: unknown, strict: boolean): FieldError[] {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return [{ path: '', message: 'must be a JSON Schema object, e.g. {"type": "object", "properties": {}}' }];
  if (deeperThan(value, MAX_SCHEMA_DEPTH)) return [{ path: '', message: `nests deeper than ${MAX_SCHEMA_DEPTH} levels; flatten the schema` }];
  if (!ajv.validateSchema(value)) return readableErrors(ajv.errors ?? []);
  return strict ? strictSchemaErrors(value as JsonSchema, '') : [];
}

/** Parses and validates a file's text. `file` is set only when there are no errors. */
export function parseAssistantFile(text: string): { file?: AssistantFile; errors: FieldError[] } {
  // Before parsing: one object of 200,000 keys (2.7 MB) held the extension host 0.4 s parsing and checking it.
  if (jsonObjectWiderThan(text, MAX_OBJECT_KEYS)) return { errors: [{ path: '', message: `an object of the file holds more than ${MAX_OBJECT_KEYS.toLocaleString('en-US')} keys; an assistant file's objects hold tens` }] };
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    return { errors: [{ path: '', message: `not valid JSON: ${error instanceof Error ? error.message : String(error)}` }] };
  }
  const errors = validateAssistantFile(value);
  if (errors.length > 0) return { errors };
  // Only now: the visit recurses, and the file is known to nest a bounded depth.
  const twice = duplicateKey(text);
  if (twice) return { errors: [{ path: twice, message: 'is written twice in one object; JSON keeps only the last, which a reader of the file may not see, so keep one' }] };
  return { file: value as AssistantFile, errors };
}

/** The text written to disk: two-space JSON with a final newline, so diffs stay small. */
export function serializeAssistantFile(file: AssistantFile): string {
  return `${JSON.stringify(file, null, 2)}\n`;
}

/** One sentence listing a file's problems, for a notification. */
export function describeErrors(errors: FieldError[]): string {
  return errors.map((error) => (error.path ? `${error.path.slice(1).replace(/\//g, '.')}: ${error.message}` : error.message)).join('; ');
}

/** A file-name stem from an assistant's name: lower case, dashes, at most 48 characters. */
export function slugify(name: string): string {
  const slug = name
    .normalize('NFKD')
    .replace(/[\u0300-\u036f]/g, '')
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '')
    .slice(0, 48)
    .replace(/-+$/, '');
  return slug || 'assistant';
}

/** File -> domain draft. */
export function draftFromFile(file: AssistantFile): AssistantDraft {
  const draft: AssistantDraft = { name: file.name, model: file.model, tools: (file.tools ?? []).map(toolFromFile) };
  if (file.description) draft.description = file.description;
  if (file.instructions) draft.instructions = file.instructions;
  const vectorStoreIds = file.tool_resources?.file_search?.vector_store_ids ?? [];
  const fileIds = file.tool_resources?.code_interpreter?.file_ids ?? [];
  if (vectorStoreIds.length > 0 || fileIds.length > 0) {
    draft.toolResources = {
      ...(vectorStoreIds.length > 0 ? { fileSearch: { vectorStoreIds: [...vectorStoreIds] } } : {}),
      ...(fileIds.length > 0 ? { codeInterpreter: { fileIds: [...fileIds] } } : {}),
    };
  }
  if (file.temperature !== undefined) draft.temperature = file.temperature;
  if (file.top_p !== undefined) draft.topP = file.top_p;
  const format = file.response_format;
  if (format && format !== 'auto') draft.responseFormat = format.type === 'json_schema' ? { type: 'json_schema', ...structuredClone(format.json_schema) } : { type: format.type };
  if (file.reasoning_effort) draft.reasoningEffort = file.reasoning_effort;
  if (file.metadata && Object.keys(file.metadata).length > 0) draft.metadata = { ...file.metadata };
  return draft;
}

/** Domain draft -> file, fields in the order of the API reference. */
export function fileFromDraft(draft: AssistantDraft): AssistantFile {
  const file: AssistantFile = {
    version: ASSISTANT_FILE_VERSION,
    name: draft.name,
    ...(draft.description ? { description: draft.description } : {}),
    model: draft.model,
    ...(draft.instructions ? { instructions: draft.instructions } : {}),
  };
  file.tools = draft.tools.map(toolToFile);
  const resources = draft.toolResources;
  if (resources?.fileSearch || resources?.codeInterpreter) {
    file.tool_resources = {
      ...(resources.fileSearch ? { file_search: { vector_store_ids: [...resources.fileSearch.vectorStoreIds] } } : {}),
      ...(resources.codeInterpreter ? { code_interpreter: { file_ids: [...resources.codeInterpreter.fileIds] } } : {}),
    };
  }
  if (draft.temperature !== undefined) file.temperature = draft.temperature;
  if (draft.topP !== undefined) file.top_p = draft.topP;
  if (draft.responseFormat) file.response_format = formatToFile(draft.responseFormat);
  if (draft.reasoningEffort) file.reasoning_effort = draft.reasoningEffort;
  if (draft.metadata && Object.keys(draft.metadata).length > 0) file.metadata = { ...draft.metadata };
  return file;
}

/**
 * Reads assistants from an imported JSON value: one object or a list of them, or a list page
 * (`{ "data": [...] }`). Each may be an assistant file, the body of the seeds' `assistants.create`
 * call, or an Assistants v2 assistant object (its `id`, `object`, `created_at` and null fields are
 * dropped). Throws an Error naming the first invalid entry and its problems.
 */
export function importAssistantFiles(value: unknown): AssistantFile[] {
  const page = typeof value === 'object' && value !== null && !Array.isArray(value) && Array.isArray((value as { data?: unknown }).data) ? (value as { data: unknown[] }).data : undefined;
  const entries = page ?? (Array.isArray(value) ? value : [value]);
  if (entries.length === 0) throw new Error('The file holds no assistants.');
  return entries.map((entry, index) => {
    const candidate = normalizeImported(entry);
    const errors = validateAssistantFile(candidate);
    if (errors.length > 0) throw new Error(`Assistant ${index + 1} is not valid: ${describeErrors(errors)}`);
    return candidate as AssistantFile;
  });
}

function normalizeImported(entry: unknown): unknown {
  if (typeof entry !== 'object' || entry === null || Array.isArray(entry)) return entry;
  const source = entry as Record<string, unknown>;
  const out: Record<string, unknown> = { version: ASSISTANT_FILE_VERSION };
  for (const [key, value] of Object.entries(source)) {
    if (['id', 'object', 'created_at', '$schema'].includes(key) || value === null) continue;
    if (key === 'response_format' && value === 'auto') continue;
    if (key === 'metadata' && typeof value === 'object' && Object.keys(value as object).length === 0) continue;
    out[key] = value;
  }
  if (out.name === undefined && typeof out.model === 'string') out.name = 'Imported assistant';
  return out;
}

/**
 * A tool as the file spells it -> the domain's. The file's spelling is the Assistants v2 wire's
 * (API reference, "The assistant object", `tools`), plus the VS Code binding of a function, so
 * the Assistants v2 adapter maps its tools through this pair too.
 */
export function toolFromFile(tool: FileTool): ToolDefinition {
  switch (tool.type) {
    case 'code_interpreter':
      return { type: 'code_interpreter' };
    case 'file_search':
      return tool.file_search?.max_num_results !== undefined ? { type: 'file_search', maxNumResults: tool.file_search.max_num_results } : { type: 'file_search' };
    case 'function':
      return { type: 'function', function: structuredClone(tool.function), ...(tool['x-vscode'] ? { command: tool['x-vscode'].command } : {}) };
    case 'mcp':
      return mcpFromFile(tool);
  }
}

/** The domain's tool -> as the file (and, without the function's `x-vscode` binding, the Assistants v2 wire) spells it. */
export function toolToFile(tool: ToolDefinition): FileTool {
  switch (tool.type) {
    case 'code_interpreter':
      return { type: 'code_interpreter' };
    case 'file_search':
      return tool.maxNumResults !== undefined ? { type: 'file_search', file_search: { max_num_results: tool.maxNumResults } } : { type: 'file_search' };
    case 'function':
      return { type: 'function', function: structuredClone(tool.function), ...(tool.command ? { 'x-vscode': { command: tool.command } } : {}) };
    case 'mcp':
      return mcpToFile(tool);
  }
}

function mcpFromFile(tool: FileMcpTool): McpServerTool {
  const filter = (f: FileMcpFilter): McpToolFilter => ({ ...(f.tool_names ? { toolNames: [...f.tool_names] } : {}), ...(f.read_only !== undefined ? { readOnly: f.read_only } : {}) });
  const approval = tool.require_approval;
  const requireApproval: McpApprovalSetting | undefined =
    approval === undefined || typeof approval === 'string' ? approval : { ...(approval.always ? { always: filter(approval.always) } : {}), ...(approval.never ? { never: filter(approval.never) } : {}) };
  const allowed = tool.allowed_tools;
  return {
    type: 'mcp',
    serverLabel: tool.server_label,
    ...(tool.server_url !== undefined ? { serverUrl: tool.server_url } : {}),
    ...(tool.connector_id !== undefined ? { connectorId: tool.connector_id } : {}),
    ...(tool.server_description !== undefined ? { serverDescription: tool.server_description } : {}),
    ...(allowed !== undefined ? { allowedTools: Array.isArray(allowed) ? [...allowed] : filter(allowed) } : {}),
    ...(requireApproval !== undefined ? { requireApproval } : {}),
    ...(tool.headers ? { headers: { ...tool.headers } } : {}),
    ...(tool.authorization !== undefined ? { authorization: tool.authorization } : {}),
    ...(tool['x-vscode'] ? { local: structuredClone(tool['x-vscode']) } : {}),
  };
}

/**
 * The fields an `mcp` tool has both in an assistant file and in a Responses request (`MCPTool`:
 * label, server, description, allowed tools, approval, authorization), copied; headers and the
 * file's own `x-vscode` are left to each side (a request sends only resolved, non-empty headers).
 */
export function mcpApiFields(tool: McpServerTool): Omit<FileMcpTool, 'headers' | 'x-vscode'> {
  const filter = (f: McpToolFilter): FileMcpFilter => ({ ...(f.toolNames ? { tool_names: [...f.toolNames] } : {}), ...(f.readOnly !== undefined ? { read_only: f.readOnly } : {}) });
  const approval = tool.requireApproval;
  const allowed = tool.allowedTools;
  return {
    type: 'mcp',
    server_label: tool.serverLabel,
    ...(tool.serverUrl !== undefined ? { server_url: tool.serverUrl } : {}),
    ...(tool.connectorId !== undefined ? { connector_id: tool.connectorId } : {}),
    ...(tool.serverDescription !== undefined ? { server_description: tool.serverDescription } : {}),
    ...(allowed !== undefined ? { allowed_tools: Array.isArray(allowed) ? [...allowed] : filter(allowed) } : {}),
    ...(approval !== undefined
      ? { require_approval: typeof approval === 'string' ? approval : { ...(approval.always ? { always: filter(approval.always) } : {}), ...(approval.never ? { never: filter(approval.never) } : {}) } }
      : {}),
    ...(tool.authorization !== undefined ? { authorization: tool.authorization } : {}),
  };
}

function mcpToFile(tool: McpServerTool): FileMcpTool {
  return {
    ...mcpApiFields(tool),
    ...(tool.headers ? { headers: { ...tool.headers } } : {}),
    // An sse server comes only from VS Code's MCP configuration, never from a file.
    ...(tool.local && tool.local.transport !== 'sse' ? { 'x-vscode': structuredClone(tool.local) } : {}),
  };
}

function formatToFile(format: ResponseFormat): NonNullable<AssistantFile['response_format']> {
  if (format.type !== 'json_schema') return { type: format.type };
  const { type: _type, ...jsonSchema } = structuredClone(format);
  return { type: 'json_schema', json_schema: jsonSchema };
}

/**
 * Structured outputs accept only closed objects whose properties are all required
 * (platform.openai.com/docs/guides/structured-outputs, "Supported schemas").
 */
function strictSchemaErrors(node: JsonSchema, path: string): FieldError[] {
  const errors: FieldError[] = [];
  const properties = node.properties;
  if (node.type === 'object' || (typeof properties === 'object' && properties !== null)) {
    if (node.additionalProperties !== false) errors.push({ path, message: 'strict mode needs "additionalProperties": false on every object' });
    const keys = typeof properties === 'object' && properties !== null ? Object.keys(properties) : [];
    const required = Array.isArray(node.required) ? node.required : [];
    const missing = keys.filter((key) => !required.includes(key));
    if (missing.length > 0) errors.push({ path, message: `strict mode needs every property in "required" (missing: ${missing.join(', ')})` });
    for (const key of keys) {
      const child = (properties as Record<string, unknown>)[key];
      if (isSchema(child)) errors.push(...strictSchemaErrors(child, `${path}/properties/${key}`));
    }
  }
  if (isSchema(node.items)) errors.push(...strictSchemaErrors(node.items, `${path}/items`));
  for (const keyword of ['anyOf', '$defs', 'definitions'] as const) {
    const group = node[keyword];
    const children = Array.isArray(group) ? group.map((child, i) => [String(i), child] as const) : isSchema(group) ? Object.entries(group) : [];
    for (const [key, child] of children) if (isSchema(child)) errors.push(...strictSchemaErrors(child, `${path}/${keyword}/${key}`));
  }
  return errors;
}

function isSchema(value: unknown): value is JsonSchema {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Fields the form and the file's problems name in a sentence of their own, by path. */
const FIELD_NAMES: ReadonlyArray<[RegExp, string]> = [
  [/^\/name$/, 'Name'],
  [/^\/model$/, 'Model'],
  [/^\/version$/, 'Version'],
  [/^\/tools\/\d+\/function\/name$/, "The function's name"],
  [/^\/response_format\/json_schema\/name$/, "The schema's name"],
  [/^\/response_format\/json_schema\/schema$/, 'The schema'],
];

/**
 * A known field missing (Ajv's `required`, reported on the object holding it) or left empty (its
 * `minLength` of 1) as one sentence on the field itself, "Name is required"; undefined for any other error.
 */
function requiredField(error: ErrorObject): FieldError | undefined {
  const missing = error.keyword === 'required' ? (error.params as { missingProperty?: string }).missingProperty : undefined;
  const empty = error.keyword === 'minLength' && (error.params as { limit?: number }).limit === 1;
  if (missing === undefined && !empty) return undefined;
  const path = missing === undefined ? error.instancePath : `${error.instancePath}/${missing}`;
  const label = FIELD_NAMES.find(([pattern]) => pattern.test(path))?.[1];
  return label ? { path, message: `${label} is required` } : undefined;
}

/** Ajv's errors without the noise of `if`/`allOf` wrappers, one per field and problem. */
function readableErrors(errors: ErrorObject[]): FieldError[] {
  const seen = new Set<string>();
  const out: FieldError[] = [];
  // Where a value matches none of several alternatives (the meta-schema's `"type": "objekt"`), Ajv
  // reports every alternative and then the `anyOf`: the first alternative says it best, alone.
  const alternatives = new Set(errors.filter((e) => e.keyword === 'anyOf' || e.keyword === 'oneOf').map((e) => e.instancePath));
  const said = new Set<string>();
  for (const error of errors) {
    if (error.keyword === 'if' || error.keyword === 'allOf') continue;
    if (alternatives.has(error.instancePath)) {
      if (error.keyword === 'anyOf' || error.keyword === 'oneOf' || said.has(error.instancePath)) continue;
      said.add(error.instancePath);
    }
    const required = requiredField(error);
    if (required) {
      const key = `${required.path}\u0000${required.message}`;
      if (!seen.has(key)) out.push(required);
      seen.add(key);
      continue;
    }
    let message = error.message ?? 'is not valid';
    if (error.keyword === 'additionalProperties') message = `has an unknown field "${String((error.params as { additionalProperty?: string }).additionalProperty)}"`;
    if (error.keyword === 'enum') message = `must be one of ${((error.params as { allowedValues?: unknown[] }).allowedValues ?? []).map((v) => JSON.stringify(v)).join(', ')}`;
    if (error.keyword === 'const') message = `must be ${JSON.stringify((error.params as { allowedValue?: unknown }).allowedValue)}`;
    const key = `${error.instancePath}\u0000${message}`;
    if (seen.has(key)) continue;
    seen.add(key);
    out.push({ path: error.instancePath, message });
  }
  return out;
}
