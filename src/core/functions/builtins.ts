import type { EditorFunctionDeps } from './editorFunctions';
import { getDiagnosticsFunction, getOpenEditorsFunction, getSelectionFunction } from './editorFunctions';
import type { FileFunctionDeps } from './fileFunctions';
import { listFilesFunction, readFileFunction, searchTextFunction } from './fileFunctions';
import type { EditProposer } from './proposeEdit';
import { proposeEditFunction } from './proposeEdit';
import type { WorkspaceFunction } from './registry';

/** What the built-in functions need from the host. */
export type BuiltinDeps = FileFunctionDeps & EditorFunctionDeps & { proposer: EditProposer };

/**
 * The names of the built-in workspace functions: a call of one of these is answered by the
 * workspace function, whatever an assistant's own definition says about it.
 */
export const WORKSPACE_FUNCTION_NAMES: readonly string[] = ['read_file', 'list_files', 'search_text', 'get_diagnostics', 'get_selection', 'get_open_editors', 'propose_edit'];

/** The workspace functions the extension offers every assistant, in the order the model sees them (named as `WORKSPACE_FUNCTION_NAMES`). */
export function builtinFunctions(deps: BuiltinDeps): WorkspaceFunction[] {
  return [
    readFileFunction(deps),
    listFilesFunction(deps),
    searchTextFunction(deps),
    getDiagnosticsFunction(deps),
    getSelectionFunction(deps),
    getOpenEditorsFunction(deps),
    proposeEditFunction(deps),
  ];
}
