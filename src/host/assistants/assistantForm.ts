import type { AssistantFile, FieldError, FileTool } from '../../core/assistants/assistantFile';
import { ASSISTANT_FILE_VERSION, parseAssistantFile, serializeAssistantFile, validateAssistantFile, validateJsonSchema } from '../../core/assistants/assistantFile';
import { mergeAssistantFiles } from '../../core/assistants/assistantMerge';
import type { JsonSchema } from '../../common/model';
import type { AssistantForm, FunctionForm } from '../../common/assistantEditorProtocol';

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
 * assistant schema. `base` keeps what the form does not show (metadata, `$schema`, command bindings,
 * MCP servers, after the functions). `file` is set
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
  // The form does not show MCP servers: they stay as the file has them.
  for (const tool of base?.tools ?? []) if (tool.type === 'mcp') tools.push(structuredClone(tool));
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

/** What a change of the form does to the document: the file to write (none while the form has `errors`), and the fields where it overrode a change made meanwhile. */
export interface FormChange {
  file?: AssistantFile;
  errors: FieldError[];
  /** Fields changed both in the form and in the document since `base` (see `mergeAssistantFiles`): the form's value was kept. */
  conflicts: string[];
  /** The form's own file (the document's fields where the form shows none), which the page's form now reflects. */
  mine?: AssistantFile;
}

/**
 * The file a change of the form makes of the document's text. The page sends its whole form, made
 * on `base` (the form it was last shown); fields the user did not touch since then keep what the
 * document holds now (an edit in the text editor, or the file reloaded after another window saved
 * it), so neither side's change is lost. Without a base (the page showed a file that was not
 * valid) the form's fields replace the document's; over a document that became invalid since the
 * base, nothing is written (the text editor's edit under way wins).
 */
export function fileFromFormChange(form: AssistantForm, base: AssistantForm | undefined, text: string): FormChange {
  const current = parseAssistantFile(text).file;
  const { file: mine, errors } = fileFromForm(form, current ?? lenientParse(text));
  // The text was valid when the form was shown and is not now: an edit in the text editor is under way, and wins.
  if (mine && base && !current) return { errors: [{ path: '', message: 'the file was changed in the text editor and is not a valid assistant now; the form writes again once it is' }], conflicts: [] };
  if (!mine || !base || !current) return { file: mine, mine, errors, conflicts: [] };
  const { file: started } = fileFromForm(base, current);
  if (!started) return { file: mine, mine, errors, conflicts: [] };
  const merged = mergeAssistantFiles(started, mine, current);
  // Each side valid and the whole not (too many tools): the form's version, as the user sees it.
  if (validateAssistantFile(merged.file).length > 0) return { file: mine, mine, errors, conflicts: ['tools'] };
  return { file: merged.file, mine, errors, conflicts: merged.conflicts };
}

/**
 * A change on disk brought into a document with unsaved edits: `saved` is the text the document
 * was loaded or last saved with, `disk` the file's text now. Fields only the disk changed are
 * taken, fields the document changed are kept (also where both did: `conflicts`, left for the save
 * to settle with Compare or Overwrite). Undefined when a side is not a valid assistant file.
 */
export function mergeIntoDocument(saved: string, documentText: string, disk: string): { text: string; conflicts: string[] } | undefined {
  const [base, mine, theirs] = [saved, documentText, disk].map((text) => parseAssistantFile(text).file);
  if (!base || !mine || !theirs) return undefined;
  const merged = mergeAssistantFiles(base, mine, theirs);
  if (validateAssistantFile(merged.file).length > 0) return undefined;
  return { text: serializeAssistantFile(merged.file), conflicts: merged.conflicts };
}

/** What can be kept from a file that is not valid (its metadata), so a form edit does not drop it. */
export function lenientParse(text: string): AssistantFile | undefined {
  try {
    const value = JSON.parse(text) as Partial<AssistantFile>;
    return typeof value === 'object' && value !== null ? (value as AssistantFile) : undefined;
  } catch {
    return undefined;
  }
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
