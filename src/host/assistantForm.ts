import type { AssistantFile, FieldError, FileTool } from '../core/assistantFile';
import { ASSISTANT_FILE_VERSION, validateAssistantFile, validateJsonSchema } from '../core/assistantFile';
import type { JsonSchema } from '../core/model';
import type { AssistantForm, FunctionForm } from '../common/assistantEditorProtocol';

/** An assistant file as the form shows it. */
export function formFromFile(file: AssistantFile): AssistantForm {
  const tools = file.tools ?? [];
  const fileSearch = tools.find((t): t is Extract<FileTool, { type: 'file_search' }> => t.type === 'file_search');
  const format = file.response_format;
  const schema = typeof format === 'object' && format.type === 'json_schema' ? format.json_schema : undefined;
  return {
    name: file.name,
    description: file.description ?? '',
    model: file.model,
    instructions: file.instructions ?? '',
    fileSearch: fileSearch !== undefined,
    maxNumResults: fileSearch?.file_search?.max_num_results?.toString() ?? '',
    codeInterpreter: tools.some((t) => t.type === 'code_interpreter'),
    functions: tools.flatMap((t): FunctionForm[] =>
      t.type === 'function'
        ? [{ name: t.function.name, description: t.function.description ?? '', parameters: t.function.parameters ? JSON.stringify(t.function.parameters, null, 2) : '', strict: t.function.strict ?? false }]
        : [],
    ),
    vectorStoreIds: [...(file.tool_resources?.file_search?.vector_store_ids ?? [])],
    codeFileIds: [...(file.tool_resources?.code_interpreter?.file_ids ?? [])],
    ...(file.temperature !== undefined ? { temperature: file.temperature } : {}),
    ...(file.top_p !== undefined ? { topP: file.top_p } : {}),
    responseFormat: typeof format === 'object' ? format.type : 'auto',
    schemaName: schema?.name ?? '',
    schema: schema ? JSON.stringify(schema.schema, null, 2) : '',
    schemaStrict: schema?.strict ?? false,
    reasoningEffort: file.reasoning_effort ?? '',
  };
}

/**
 * The file a form describes, checked field by field: JSON texts must parse, function parameters
 * must be JSON Schemas (strict ones closed and fully required), and the whole must fit the
 * assistant schema. `base` keeps what the form does not show (metadata, `$schema`, command bindings). `file` is set
 * only when there are no errors.
 */
export function fileFromForm(form: AssistantForm, base?: AssistantFile): { file?: AssistantFile; errors: FieldError[] } {
  const errors: FieldError[] = [];
  const tools: FileTool[] = [];
  if (form.fileSearch) {
    const count = form.maxNumResults.trim();
    const max = Number(count);
    if (count && !Number.isInteger(max)) errors.push({ path: '/tools/file_search/max_num_results', message: 'must be a whole number from 1 to 50' });
    tools.push(count && Number.isInteger(max) ? { type: 'file_search', file_search: { max_num_results: max } } : { type: 'file_search' });
  }
  if (form.codeInterpreter) tools.push({ type: 'code_interpreter' });
  for (const fn of form.functions) {
    const path = `/tools/${tools.length}/function/parameters`;
    const parameters = parseSchema(fn.parameters, path, fn.strict, errors);
    // The form does not show command bindings: a function keeps the one it had, by name.
    const binding = base?.tools?.find((t) => t.type === 'function' && t.function.name === fn.name && t['x-vscode']);
    tools.push({
      type: 'function',
      function: {
        name: fn.name,
        ...(fn.description ? { description: fn.description } : {}),
        ...(parameters ? { parameters } : {}),
        ...(fn.strict ? { strict: true } : {}),
      },
      ...(binding?.type === 'function' && binding['x-vscode'] ? { 'x-vscode': { ...binding['x-vscode'] } } : {}),
    });
  }
  const file: AssistantFile = {
    ...(base?.$schema ? { $schema: base.$schema } : {}),
    version: ASSISTANT_FILE_VERSION,
    name: form.name,
    ...(form.description ? { description: form.description } : {}),
    model: form.model,
    ...(form.instructions ? { instructions: form.instructions } : {}),
    tools,
  };
  if (form.vectorStoreIds.length > 0 || form.codeFileIds.length > 0) {
    file.tool_resources = {
      ...(form.vectorStoreIds.length > 0 ? { file_search: { vector_store_ids: [...form.vectorStoreIds] } } : {}),
      ...(form.codeFileIds.length > 0 ? { code_interpreter: { file_ids: [...form.codeFileIds] } } : {}),
    };
  }
  if (form.temperature !== undefined) file.temperature = form.temperature;
  if (form.topP !== undefined) file.top_p = form.topP;
  if (form.responseFormat === 'text' || form.responseFormat === 'json_object') file.response_format = { type: form.responseFormat };
  if (form.responseFormat === 'json_schema') {
    const schema = parseSchema(form.schema, '/response_format/json_schema/schema', form.schemaStrict, errors) ?? {};
    file.response_format = { type: 'json_schema', json_schema: { name: form.schemaName, schema, ...(form.schemaStrict ? { strict: true } : {}) } };
  }
  if (form.reasoningEffort) file.reasoning_effort = form.reasoningEffort;
  if (base?.metadata) file.metadata = { ...base.metadata };
  const reported = new Set(errors.map((e) => e.path));
  // A schema already reported as unparsable or invalid is not reported again by the file schema.
  errors.push(...validateAssistantFile(file).filter((e) => ![...reported].some((p) => e.path.startsWith(p))));
  return errors.length > 0 ? { errors } : { file, errors };
}

function parseSchema(text: string, path: string, strict: boolean, errors: FieldError[]): JsonSchema | undefined {
  if (!text.trim()) return undefined;
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    errors.push({ path, message: `not valid JSON: ${error instanceof Error ? error.message : String(error)}` });
    return undefined;
  }
  const problems = validateJsonSchema(value, strict);
  errors.push(...problems.map((p) => ({ path: `${path}${p.path}`, message: p.message })));
  return problems.length > 0 ? undefined : (value as JsonSchema);
}
