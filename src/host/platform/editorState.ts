import * as vscode from 'vscode';
import type { EditorDiagnostic, EditorState } from '../../core/functions/editorFunctions';

const SEVERITIES: Record<vscode.DiagnosticSeverity, EditorDiagnostic['severity']> = {
  [vscode.DiagnosticSeverity.Error]: 'error',
  [vscode.DiagnosticSeverity.Warning]: 'warning',
  [vscode.DiagnosticSeverity.Information]: 'information',
  [vscode.DiagnosticSeverity.Hint]: 'hint',
};

/** Problems, selection and open editors as the VS Code API reports them (files on disk only). */
export function vscodeEditorState(): EditorState {
  return {
    diagnostics() {
      return vscode.languages.getDiagnostics().flatMap(([uri, diagnostics]) =>
        uri.scheme !== 'file'
          ? []
          : diagnostics.map((d) => ({
              absolute: uri.fsPath,
              line: d.range.start.line + 1,
              column: d.range.start.character + 1,
              severity: SEVERITIES[d.severity],
              message: d.message,
              source: d.source,
              code: d.code === undefined ? undefined : String(typeof d.code === 'object' ? d.code.value : d.code),
            })),
      );
    },
    selection() {
      const editor = vscode.window.activeTextEditor;
      if (!editor || editor.document.uri.scheme !== 'file' || editor.selection.isEmpty) return undefined;
      const { start, end } = editor.selection;
      // A selection ending at the start of a line does not take that line.
      const endLine = end.character === 0 && end.line > start.line ? end.line : end.line + 1;
      return { absolute: editor.document.uri.fsPath, startLine: start.line + 1, endLine, text: editor.document.getText(editor.selection) };
    },
    openEditors() {
      const active = vscode.window.activeTextEditor?.document.uri.toString();
      const seen = new Set<string>();
      const open: Array<{ absolute: string; active: boolean; dirty: boolean }> = [];
      for (const tab of vscode.window.tabGroups.all.flatMap((group) => group.tabs)) {
        if (!(tab.input instanceof vscode.TabInputText) || tab.input.uri.scheme !== 'file') continue;
        const key = tab.input.uri.toString();
        if (seen.has(key)) continue;
        seen.add(key);
        open.push({ absolute: tab.input.uri.fsPath, active: key === active, dirty: tab.isDirty });
      }
      return open;
    },
  };
}
