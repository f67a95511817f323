/**
 * The protocol between the extension host and the assistant form (the custom editor over an
 * `.assistant.json` file): the messages each side posts (names are `area/verb`), and the requests
 * the form makes, each answered once (`EditorRequests`, through requests.ts).
 */
import type { ReasoningEffort } from './model';
import type { PayloadGuards, ReplyMessage, RequestMessage } from './requests';
import { isRequestOf } from './requests';

/** A function tool as the form edits it: the parameters are the text the user typed. */
export interface FunctionForm {
  name: string;
  description: string;
  /** JSON text of the parameters' JSON Schema; empty for none. */
  parameters: string;
  strict: boolean;
}

/** Everything the form shows, as plain values (empty string: not set). */
export interface AssistantForm {
  name: string;
  description: string;
  model: string;
  instructions: string;
  fileSearch: boolean;
  /** Text of the file-search result count, 1 to 50; empty for the server's default. */
  maxNumResults: string;
  codeInterpreter: boolean;
  functions: FunctionForm[];
  vectorStoreIds: string[];
  codeFileIds: string[];
  /** 0 to 2; absent for the model's default. */
  temperature?: number;
  /** 0 to 1; absent for the model's default. */
  topP?: number;
  responseFormat: 'auto' | 'text' | 'json_object' | 'json_schema';
  schemaName: string;
  /** JSON text of the response's JSON Schema. */
  schema: string;
  schemaStrict: boolean;
  reasoningEffort: '' | ReasoningEffort;
}

/** A problem at one field: `path` is a JSON pointer into the file (`/tools/2/function/parameters`). */
export interface FormError {
  path: string;
  message: string;
}

/** Something the server offers to pick from (a model, a vector store, a file). */
export interface Choice {
  id: string;
  label: string;
}

/** What the host knows of the server: the lists, or why there are none. */
export interface ServerChoices {
  models?: Choice[];
  vectorStores?: Choice[];
  files?: Choice[];
  /** Why some list could not be read (no key, server down): the form falls back to free text. */
  problem?: string;
}

/** What the host says of a `form/change`. */
export interface FormValidated {
  errors: FormError[];
  /** Whether the form was written to the document (only a form with no problems is). */
  saved: boolean;
  /** The revision of the form the document now holds: the page's next base. */
  revision?: number;
  /** The fields also changed elsewhere since the page's base, where the form's value was kept. */
  conflicts?: string[];
}

/** What the form asks of the host, each answered once (requests.ts): payload and reply by kind. */
export interface EditorRequests {
  /**
   * The form changed: validate it, and write it to the document when it is valid. `baseRevision`
   * is the revision of the form these edits were made on (0: none), so that fields the page did
   * not touch keep what the document got meanwhile.
   */
  'form/change': { payload: { form: AssistantForm; baseRevision: number }; reply: FormValidated };
  /** Lists models, vector stores and files from the provider. */
  'choices/list': { payload: Record<string, never>; reply: ServerChoices };
}

/** Checks of each request's payload: the page's messages are checked before they touch the document. */
export const EDITOR_REQUEST_PAYLOADS: PayloadGuards<EditorRequests> = {
  'form/change': (payload): payload is EditorRequests['form/change']['payload'] => {
    if (typeof payload !== 'object' || payload === null) return false;
    const { form, baseRevision } = payload as Record<string, unknown>;
    return typeof baseRevision === 'number' && typeof form === 'object' && form !== null && Array.isArray((form as { functions?: unknown }).functions);
  },
  'choices/list': (payload): payload is Record<string, never> => typeof payload === 'object' && payload !== null,
};

export type HostToEditor =
  /**
   * The document's content as a form (on `ready`, after undo/redo or an edit in the text editor,
   * and when a change of the form was merged with one made elsewhere). `revision` names this form:
   * the page's next change says which form it started from (`baseRevision`).
   */
  | { type: 'document/show'; form?: AssistantForm; errors: FormError[]; revision: number }
  /** Something to tell beside the form (a change on disk merged into the unsaved document). */
  | { type: 'document/notice'; message: string; warning: boolean }
  /** The document was saved (written to its file, or to the server). */
  /** The file was saved; `problems`: how many problems it was saved with (it cannot run until they are fixed). */
  | { type: 'document/saved'; problems: number }
  /** A save was refused (by the server, for a server's assistant): the sentence saying why. */
  | { type: 'document/saveRefused'; message: string }
  /** The answer to a request of the form (`EditorRequests`). */
  | ReplyMessage;

export type EditorToHost =
  | { type: 'ready' }
  /** A request of `EditorRequests`, answered by a `reply` with the same id. */
  | RequestMessage<EditorRequests>
  /** Opens the file as plain JSON (the text editor). */
  | { type: 'editor/openText' };

/** Messages from the page are checked before they touch the document. */
export function isEditorToHost(value: unknown): value is EditorToHost {
  if (typeof value !== 'object' || value === null) return false;
  switch ((value as { type?: unknown }).type) {
    case 'ready':
    case 'editor/openText':
      return true;
    case 'request':
      return isRequestOf(value, EDITOR_REQUEST_PAYLOADS);
    default:
      return false;
  }
}
