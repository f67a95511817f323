import type {
  Assistant as WireAssistant,
  AssistantCreateParams,
  AssistantTool,
} from 'openai/resources/beta/assistants';
import type { AssistantResponseFormatOption } from 'openai/resources/beta/threads/threads';
import type {
  Assistant,
  AssistantDraft,
  FunctionDefinition,
  JsonSchema,
  ReasoningEffort,
  ResponseFormat,
  ToolDefinition,
  ToolResources,
} from '../../common/model';
import type { FileTool } from '../../core/assistants/assistantFile';
import { toolFromFile, toolToFile } from '../../core/assistants/assistantFile';
import { oneLine } from '../../common/showable';
import { REASONING_EFFORTS } from '../../common/model';

/** AssistantObject -> domain Assistant. */
export function fromWireAssistant(wire: WireAssistant): Assistant {
  const assistant: Assistant = {
    id: wire.id,
    // The server's name, shown in lists and dialogs: on one line as written.
    name: oneLine(wire.name ?? ''),
    model: wire.model,
    tools: wire.tools.map(fromWireTool),
    createdAt: wire.created_at,
  };
  if (wire.description) assistant.description = wire.description;
  if (wire.instructions) assistant.instructions = wire.instructions;
  const toolResources = fromWireToolResources(wire.tool_resources);
  if (toolResources) assistant.toolResources = toolResources;
  if (typeof wire.temperature === 'number') assistant.temperature = wire.temperature;
  if (typeof wire.top_p === 'number') assistant.topP = wire.top_p;
  const responseFormat = fromWireResponseFormat(wire.response_format);
  if (responseFormat) assistant.responseFormat = responseFormat;
  // Servers echo the reasoning effort they were given, though the published AssistantObject omits it.
  const effort = (wire as { reasoning_effort?: unknown }).reasoning_effort;
  if (typeof effort === 'string' && (REASONING_EFFORTS as readonly string[]).includes(effort)) assistant.reasoningEffort = effort as ReasoningEffort;
  if (wire.metadata && Object.keys(wire.metadata).length > 0) assistant.metadata = { ...wire.metadata };
  return assistant;
}

/**
 * Domain draft -> create/update body. Absent optional fields are sent as null so an update
 * replaces the whole definition instead of merging into the old one.
 */
export function toWireAssistantBody(draft: AssistantDraft): AssistantCreateParams {
  return {
    model: draft.model,
    name: draft.name,
    description: draft.description ?? null,
    instructions: draft.instructions ?? null,
    // Assistants v2 has no `mcp` tool: a local server's tools come as functions (run additions), a hosted one is Responses only.
    tools: draft.tools.flatMap((tool) => (tool.type === 'mcp' ? [] : [toWireTool(tool)])),
    tool_resources: toWireToolResources(draft.toolResources),
    temperature: draft.temperature ?? null,
    top_p: draft.topP ?? null,
    response_format: draft.responseFormat ? toWireResponseFormat(draft.responseFormat) : 'auto',
    reasoning_effort: draft.reasoningEffort ?? null,
    metadata: draft.metadata ?? {},
  };
}

/** The domain's tool as the wire spells it: the file's spelling, less the function's VS Code binding (no part of the API). */
export function toWireTool(tool: Exclude<ToolDefinition, { type: 'mcp' }>): AssistantTool {
  // A tool that is not `mcp` is spelled as a tool that is not `mcp`.
  const spelled = toolToFile(tool) as Exclude<FileTool, { type: 'mcp' }>;
  return spelled.type === 'function' ? { type: 'function', function: functionFields(spelled.function) } : spelled;
}

function fromWireTool(tool: AssistantTool): ToolDefinition {
  return toolFromFile(tool.type === 'function' ? { type: 'function', function: functionFields(tool.function) } : tool);
}

function toWireToolResources(resources: ToolResources | undefined): AssistantCreateParams.ToolResources | null {
  if (!resources) return null;
  const wire: AssistantCreateParams.ToolResources = {};
  if (resources.fileSearch) wire.file_search = { vector_store_ids: [...resources.fileSearch.vectorStoreIds] };
  if (resources.codeInterpreter) wire.code_interpreter = { file_ids: [...resources.codeInterpreter.fileIds] };
  return wire;
}

function fromWireToolResources(wire: WireAssistant.ToolResources | null | undefined): ToolResources | undefined {
  if (!wire) return undefined;
  const resources: ToolResources = {};
  const vectorStoreIds = wire.file_search?.vector_store_ids ?? [];
  const fileIds = wire.code_interpreter?.file_ids ?? [];
  if (vectorStoreIds.length > 0) resources.fileSearch = { vectorStoreIds: [...vectorStoreIds] };
  if (fileIds.length > 0) resources.codeInterpreter = { fileIds: [...fileIds] };
  return resources.fileSearch || resources.codeInterpreter ? resources : undefined;
}

function toWireResponseFormat(format: ResponseFormat): AssistantResponseFormatOption {
  if (format.type !== 'json_schema') return { type: format.type };
  return {
    type: 'json_schema',
    json_schema: {
      name: format.name,
      schema: format.schema,
      ...(format.strict !== undefined ? { strict: format.strict } : {}),
      ...(format.description !== undefined ? { description: format.description } : {}),
    },
  };
}

function fromWireResponseFormat(wire: AssistantResponseFormatOption | null | undefined): ResponseFormat | undefined {
  if (!wire || wire === 'auto') return undefined;
  if (wire.type !== 'json_schema') return { type: wire.type };
  const schema = wire.json_schema;
  return {
    type: 'json_schema',
    name: schema.name,
    schema: schema.schema ?? {},
    ...(typeof schema.strict === 'boolean' ? { strict: schema.strict } : {}),
    ...(schema.description !== undefined ? { description: schema.description } : {}),
  };
}

/** The fields of a function definition that are set; the wire and the domain spell them alike. */
function functionFields(fn: { name: string; description?: string; parameters?: JsonSchema; strict?: boolean | null }): FunctionDefinition {
  return {
    name: fn.name,
    ...(fn.description !== undefined ? { description: fn.description } : {}),
    ...(fn.parameters !== undefined ? { parameters: fn.parameters } : {}),
    ...(typeof fn.strict === 'boolean' ? { strict: fn.strict } : {}),
  };
}
