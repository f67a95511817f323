/** The webview side of VS Code's messaging and state, typed with our protocol. */
import type { HostToWebview, WebviewToHost } from '../src/common/protocol';

/** What survives the view being hidden and shown again (the DOM does not). */
export interface PersistedState {
  draft: string;
  /** The sequence number of the change that left `draft` (see draft.ts); 0 when none was made. */
  draftSeq: number;
  /** Additional instructions for the next runs, as typed. */
  instructions: string;
  /** The sequence number of the change that left `instructions` (as `draftSeq`). */
  instructionsSeq: number;
  /** Distance from the bottom of the transcript, so new content below does not shift the restore. */
  scrollFromBottom: number;
  /** What `scrollFromBottom` was measured against (state.ts, `scrollKey`); it is restored only against the same. */
  scrollKey: string;
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

// A record, not a list: a message type added to the protocol fails the type-check here until it is
// accepted, instead of being dropped at run time.
const HOST_TYPE_RECORD: Record<HostToWebview['type'], true> = {
  'state/full': true,
  'run/event': true,
  'message/added': true,
  'notice/show': true,
  'notice/clear': true,
  'run/busy': true,
  'run/waiting': true,
  reply: true,
  'approval/show': true,
  'output/show': true,
  'attachments/show': true,
  'composer/insert': true,
};
const HOST_TYPES: ReadonlySet<string> = new Set(Object.keys(HOST_TYPE_RECORD));

function isHostMessage(value: unknown): value is HostToWebview {
  if (typeof value !== 'object' || value === null) return false;
  const type = (value as { type?: unknown }).type;
  return typeof type === 'string' && HOST_TYPES.has(type);
}

function parsePersisted(value: unknown): PersistedState {
  const state: PersistedState = { draft: '', draftSeq: 0, instructions: '', instructionsSeq: 0, scrollFromBottom: 0, scrollKey: '' };
  if (typeof value !== 'object' || value === null) return state;
  const { draft, draftSeq, instructions, instructionsSeq, scrollFromBottom, scrollKey } = value as Partial<Record<keyof PersistedState, unknown>>;
  if (typeof draft === 'string') state.draft = draft;
  if (typeof draftSeq === 'number' && Number.isFinite(draftSeq) && draftSeq >= 0) state.draftSeq = draftSeq;
  if (typeof instructions === 'string') state.instructions = instructions;
  if (typeof instructionsSeq === 'number' && Number.isFinite(instructionsSeq) && instructionsSeq >= 0) state.instructionsSeq = instructionsSeq;
  if (typeof scrollFromBottom === 'number' && Number.isFinite(scrollFromBottom)) state.scrollFromBottom = Math.max(0, scrollFromBottom);
  if (typeof scrollKey === 'string') state.scrollKey = scrollKey;
  return state;
}
