/**
 * Links the codicon stylesheet `css` as the webview does (src/host/platform/webviewHtml.ts), by the id
 * the icon component looks for; without it every icon drawn logs a warning, a cost the chat view has not.
 */
export function linkCodicons(css: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const link = document.createElement('link');
    link.id = 'vscode-codicon-stylesheet';
    link.rel = 'stylesheet';
    link.href = URL.createObjectURL(new Blob([css], { type: 'text/css' }));
    link.onload = () => resolve();
    link.onerror = () => reject(new Error('The codicon stylesheet did not load.'));
    document.head.append(link);
  });
}
