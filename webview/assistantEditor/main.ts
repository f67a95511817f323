/** The assistant form's entry point: build the page, then tell the host we are ready for the document. */
import type { EditorToHost, HostToEditor } from '../../src/common/assistantEditorProtocol';
import { AssistantFormView } from './form';

interface VsCodeApi {
  postMessage(message: EditorToHost): void;
}
declare function acquireVsCodeApi(): VsCodeApi;

const root = document.getElementById('app');
if (root) {
  const api = acquireVsCodeApi();
  const view = new AssistantFormView(root, (message) => api.postMessage(message));
  window.addEventListener('message', (event: MessageEvent<HostToEditor>) => view.receive(event.data));
  api.postMessage({ type: 'ready' });
}
