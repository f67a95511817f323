import { randomBytes } from 'node:crypto';
import * as vscode from 'vscode';

/** What differs between our webview pages: their bundle, their stylesheet and their title. */
export interface WebviewPage {
  /** File name of the page's bundle in `dist/`. */
  script: string;
  /** File name of the page's stylesheet in `media/`. */
  stylesheet: string;
  /** Stylesheets of libraries the page draws with, as paths under `dist/`, loaded before the page's own. */
  libraryStylesheets?: string[][];
  title: string;
}

/** The chat view's page; KaTeX draws the math in answers (its fonts come from `dist/katex/fonts`). */
export const CHAT_PAGE: WebviewPage = { script: 'webview.js', stylesheet: 'chat.css', libraryStylesheets: [['katex', 'katex.min.css']], title: 'Assistants' };
/** The Compare panel's page: the chat's renderers in columns, so it draws math as the chat does. */
export const COMPARE_PAGE: WebviewPage = { script: 'compare.js', stylesheet: 'compare.css', libraryStylesheets: [['katex', 'katex.min.css']], title: 'Compare Assistants' };
/** The assistant form's page. */
export const ASSISTANT_EDITOR_PAGE: WebviewPage = { script: 'assistantEditor.js', stylesheet: 'assistantEditor.css', title: 'Assistant' };

/**
 * The one HTML builder of every webview page: a strict CSP (no inline script or style, scripts
 * only by a fresh `crypto` nonce), every asset through `asWebviewUri` from the bundle and media folders.
 */
export function webviewHtml(webview: vscode.Webview, extensionUri: vscode.Uri, page: WebviewPage): string {
  const nonce = randomBytes(18).toString('base64');
  const asset = (...segments: string[]) => webview.asWebviewUri(vscode.Uri.joinPath(extensionUri, ...segments)).toString();
  const csp = [
    "default-src 'none'",
    `img-src ${webview.cspSource} data:`,
    `font-src ${webview.cspSource}`,
    `style-src ${webview.cspSource}`,
    `script-src 'nonce-${nonce}'`,
  ].join('; ');
  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="UTF-8">
<meta http-equiv="Content-Security-Policy" content="${csp}">
<meta name="viewport" content="width=device-width, initial-scale=1.0">
<link rel="stylesheet" href="${asset('dist', 'codicons', 'codicon.css')}" id="vscode-codicon-stylesheet">
${(page.libraryStylesheets ?? []).map((segments) => `<link rel="stylesheet" href="${asset('dist', ...segments)}">`).join('\n')}
<link rel="stylesheet" href="${asset('media', page.stylesheet)}">
<title>${page.title}</title>
</head>
<body>
<div id="app"></div>
<script nonce="${nonce}" src="${asset('dist', page.script)}"></script>
</body>
</html>`;
}

/** Only the bundle and the media folder may be loaded by a page. */
export function webviewResourceRoots(extensionUri: vscode.Uri): vscode.Uri[] {
  return [vscode.Uri.joinPath(extensionUri, 'dist'), vscode.Uri.joinPath(extensionUri, 'media')];
}
