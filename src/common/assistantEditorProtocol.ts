/**
 * The protocol between the extension host and the assistant form (the custom editor over an
 * `.assistant.json` file). Types only. Message names are `area/verb`; requests carry an id and are
 * answered with the same id.
 */
import type { ReasoningEffort } from './model';

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

export type HostToEditor =
  /**
   * The document's content as a form (on `ready`, after undo/redo or an edit in the text editor,
   * and when a change of the form was merged with one made elsewhere). `revision` names this form:
   * the page's next change says which form it started from (`baseRevision`).
   */
  | { type: 'document/show'; form?: AssistantForm; errors: FormError[]; revision: number }
  /**
   * The problems of the last `form/change`: written to the file only when there are none.
   * `revision` names the form the document now holds (the page's next base); `conflicts` the fields
   * also changed elsewhere since the page's base, where the form's value was kept.
   */
  | { type: 'form/validated'; requestId: string; errors: FormError[]; saved: boolean; revision?: number; conflicts?: string[] }
  /** Something to tell beside the form (a change on disk merged into the unsaved document). */
  | { type: 'document/notice'; message: string; warning: boolean }
  /** The document was saved (written to its file, or to the server). */
  /** The file was saved; `problems`: how many problems it was saved with (it cannot run until they are fixed). */
  | { type: 'document/saved'; problems: number }
  /** A save was refused (by the server, for a server's assistant): the sentence saying why. */
  | { type: 'document/saveRefused'; message: string }
  | { type: 'choices/result'; requestId: string; choices: ServerChoices };

export type EditorToHost =
  | { type: 'ready' }
  /**
   * The form changed: validate it, and write it to the document when it is valid. `baseRevision`
   * is the revision of the form these edits were made on (0: none), so that fields the page did
   * not touch keep what the document got meanwhile.
   */
  | { type: 'form/change'; requestId: string; form: AssistantForm; baseRevision: number }
  /** Lists models, vector stores and files from the provider. */
  | { type: 'choices/request'; requestId: string }
  /** Opens the file as plain JSON (the text editor). */
  | { type: 'editor/openText' };
