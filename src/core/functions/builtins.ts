import type { EditorFunctionDeps } from './editorFunctions';
import { getDiagnosticsFunction, getOpenEditorsFunction, getSelectionFunction } from './editorFunctions';
import type { FileFunctionDeps } from './fileFunctions';
import { listFilesFunction, readFileFunction, searchTextFunction } from './fileFunctions';
import type { EditProposer } from './proposeEdit';
import { proposeEditFunction } from './proposeEdit';
import type { WorkspaceFunction } from './registry';

/** What the built-in functions need from the host. */
export type BuiltinDeps = FileFunctionDeps & EditorFunctionDeps & { proposer: EditProposer };

/** The workspace functions the extension offers every assistant, in the order the model sees them (named as `WORKSPACE_FUNCTION_NAMES` of `../assistants/assistantFileShape.ts`, which the assistant file is checked against). */
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
