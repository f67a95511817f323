import { listedName } from '../../common/showable';
import type { Confinement } from '../workspace/confinement';
import type { WorkspaceFunction } from './registry';

/** A problem VS Code reports for a file (the Problems panel). Lines and columns are 1-based. */
export interface EditorDiagnostic {
  absolute: string;
  line: number;
  column: number;
  severity: 'error' | 'warning' | 'information' | 'hint';
  message: string;
  source?: string;
  code?: string;
}

/** The editor's state as the host sees it; the host implements this with the VS Code API. */
export interface EditorState {
  diagnostics(): EditorDiagnostic[];
  /** The active editor's selection (lines 1-based, inclusive), or undefined when nothing is selected. */
  selection(): { absolute: string; startLine: number; endLine: number; text: string } | undefined;
  openEditors(): Array<{ absolute: string; active: boolean; dirty: boolean }>;
}

export interface EditorFunctionDeps {
  editor: EditorState;
  confinement: Confinement;
}

/** Diagnostics returned at most. */
export const DIAGNOSTICS_LIMIT = 200;
/** Characters of a selection returned at most. */
export const SELECTION_LIMIT = 50_000;

const NO_PARAMETERS = { type: 'object', properties: {}, additionalProperties: false } as const;

export function getDiagnosticsFunction({ editor, confinement }: EditorFunctionDeps): WorkspaceFunction {
  return {
    definition: {
      name: 'get_diagnostics',
      description: 'The problems VS Code reports (errors, warnings) for the workspace, or for one file, as path:line:column severity: message.',
      parameters: {
        type: 'object',
        properties: { path: { type: 'string', description: 'Only this file (relative to the workspace folder). Default: every file.' } },
        additionalProperties: false,
      },
    },
    writes: false,
    async handle(args) {
      let only: string | undefined;
      if (typeof args.path === 'string' && args.path) {
        const target = await confinement.resolve(args.path);
        if (!target.ok) throw new Error(target.reason);
        only = target.display;
      }
      const lines: string[] = [];
      let hidden = 0;
      for (const diagnostic of editor.diagnostics()) {
        const admitted = await confinement.admit(diagnostic.absolute);
        if (!admitted.ok) {
          hidden += 1;
          continue;
        }
        if (only !== undefined && admitted.display !== only) continue;
        const code = diagnostic.code ? ` ${diagnostic.source ?? ''}${diagnostic.code}`.trimEnd() : diagnostic.source ? ` ${diagnostic.source}` : '';
        lines.push(`${listedName(admitted.display)}:${diagnostic.line}:${diagnostic.column} ${diagnostic.severity}${code}: ${diagnostic.message.replace(/\s+/g, ' ')}`);
      }
      const note = hidden > 0 && only === undefined ? `\n[${hidden} problems in files outside the workspace or kept from the assistant are not shown.]` : '';
      if (lines.length === 0) return `No problems reported${only ? ` for ${only}` : ''}.${note}`;
      const shown = lines.slice(0, DIAGNOSTICS_LIMIT).join('\n');
      return lines.length > DIAGNOSTICS_LIMIT ? `${shown}\n[Only the first ${DIAGNOSTICS_LIMIT} of ${lines.length} problems.]${note}` : `${shown}${note}`;
    },
  };
}

export function getSelectionFunction({ editor, confinement }: EditorFunctionDeps): WorkspaceFunction {
  return {
    definition: {
      name: 'get_selection',
      description: "The text the user has selected in the active editor, with the file's path and the line range.",
      parameters: NO_PARAMETERS,
    },
    writes: false,
    async handle() {
      const selection = editor.selection();
      if (!selection) return 'Nothing is selected in the active editor.';
      const admitted = await confinement.admit(selection.absolute);
      if (!admitted.ok) throw new Error(`the selection is in a file the assistant may not read. ${admitted.reason}`);
      const text = selection.text.length > SELECTION_LIMIT ? `${selection.text.slice(0, SELECTION_LIMIT)}\n[Cut at ${SELECTION_LIMIT} characters.]` : selection.text;
      return `${listedName(admitted.display)}, lines ${selection.startLine}-${selection.endLine}:\n${text}`;
    },
  };
}

export function getOpenEditorsFunction({ editor, confinement }: EditorFunctionDeps): WorkspaceFunction {
  return {
    definition: {
      name: 'get_open_editors',
      description: 'The files open in VS Code editors, the active one marked, unsaved ones marked.',
      parameters: NO_PARAMETERS,
    },
    writes: false,
    async handle() {
      const lines: string[] = [];
      let outside = 0;
      let kept = 0;
      for (const open of editor.openEditors()) {
        if ((await confinement.displayOf(open.absolute)) === undefined) {
          outside += 1;
          continue;
        }
        // Even a name tells something (.env.production, id_ed25519): a file the deny list or files.exclude hides is not named.
        const admitted = await confinement.admit(open.absolute);
        if (!admitted.ok) {
          kept += 1;
          continue;
        }
        const marks = [open.active ? 'active' : '', open.dirty ? 'unsaved changes' : ''].filter(Boolean);
        // One name a line, as written or JSON-quoted: a name with a line break cannot forge a line.
        const name = listedName(admitted.display);
        lines.push(marks.length ? `${name} (${marks.join(', ')})` : name);
      }
      if (outside > 0) lines.push(`[${outside} more open from outside the workspace.]`);
      if (kept > 0) lines.push(`[${kept} more open that ${kept === 1 ? 'is' : 'are'} kept from the assistant (assistants.functions.deny, files.exclude).]`);
      return lines.length ? lines.join('\n') : 'No files are open.';
    },
  };
}
