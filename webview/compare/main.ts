/** The Compare panel's entry point: build the page, then tell the host it is ready for state. */
import type { HostToCompare } from '../../src/common/compareProtocol';
import { CompareApp } from './app';

interface VsCodeApi {
  postMessage(message: unknown): void;
}

declare function acquireVsCodeApi(): VsCodeApi;

const HOST_TYPES: ReadonlySet<string> = new Set<HostToCompare['type']>([
  'compare/state', 'compare/chat', 'compare/thread', 'compare/metrics', 'compare/error', 'compare/kept', 'compare/busy', 'compare/attachments', 'compare/notice', 'reply',
]);

const api = acquireVsCodeApi();
const root = document.getElementById('app');
if (root) {
  new CompareApp(root, {
    post: (message) => api.postMessage(message),
    onMessage: (listener) =>
      window.addEventListener('message', (event: MessageEvent<unknown>) => {
        const data = event.data as { type?: unknown } | null;
        if (typeof data === 'object' && data !== null && typeof data.type === 'string' && HOST_TYPES.has(data.type)) listener(data as HostToCompare);
      }),
  }).start();
}
