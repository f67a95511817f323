/** The webview side of VS Code's messaging and state, typed with our protocol. */
import type { HostToWebview, WebviewToHost } from '../src/shared/protocol';

/** What survives the view being hidden and shown again (the DOM does not). */
export interface PersistedState {
  draft: string;
  /** Distance from the bottom of the transcript, so new content below does not shift the restore. */
  scrollFromBottom: number;
}

interface VsCodeApi {
  postMessage(message: unknown): void;
  getState(): unknown;
  setState(state: unknown): void;
}

declare function acquireVsCodeApi(): VsCodeApi;

export interface HostChannel {
  post(message: WebviewToHost): void;
  onMessage(listener: (message: HostToWebview) => void): void;
  loadState(): PersistedState;
  saveState(state: PersistedState): void;
}

export function connectToHost(): HostChannel {
  // acquireVsCodeApi may be called once per page load.
  const api = acquireVsCodeApi();
  return {
    post: (message) => api.postMessage(message),
    onMessage: (listener) => {
      window.addEventListener('message', (event: MessageEvent<unknown>) => {
        if (isHostMessage(event.data)) listener(event.data);
      });
    },
    loadState: () => parsePersisted(api.getState()),
    saveState: (state) => api.setState(state),
  };
}

const HOST_TYPES: ReadonlySet<string> = new Set<HostToWebview['type']>([
  'state/full',
  'run/event',
  'message/added',
  'notice/show',
  'notice/clear',
  'send/result',
  'file/content',
]);

function isHostMessage(value: unknown): value is HostToWebview {
  if (typeof value !== 'object' || value === null) return false;
  const type = (value as { type?: unknown }).type;
  return typeof type === 'string' && HOST_TYPES.has(type);
}

function parsePersisted(value: unknown): PersistedState {
  const state: PersistedState = { draft: '', scrollFromBottom: 0 };
  if (typeof value !== 'object' || value === null) return state;
  const { draft, scrollFromBottom } = value as { draft?: unknown; scrollFromBottom?: unknown };
  if (typeof draft === 'string') state.draft = draft;
  if (typeof scrollFromBottom === 'number' && Number.isFinite(scrollFromBottom)) state.scrollFromBottom = Math.max(0, scrollFromBottom);
  return state;
}
