import { occurrences } from '../text/findText';
import type { Confinement } from '../workspace/confinement';
import { readTextRange } from '../workspace/readText';
import type { WorkspaceFunction } from './registry';
import type { WorkspaceFs } from '../workspace/workspaceFs';

/**
 * What the user did with a proposed edit. `text` is what was written: the proposal, or the user's
 * trimmed version of it. `refused`: the user applied it, but the path no longer passed the
 * confinement at that moment (`detail` says why; nothing was written).
 */
export type EditDecision = { applied: true; text: string } | { applied: false; reason: 'rejected' | 'changed' | 'stopped' } | { applied: false; reason: 'refused'; detail: string };

/** A proposed edit as the proposer shows it. */
export interface ProposedEdit {
  /** Canonical absolute path (links resolved when it was proposed). */
  absolute: string;
  display: string;
  /** The file's text when proposed; undefined for a new file. */
  original: string | undefined;
  proposed: string;
  /**
   * Checks the path again; the proposer calls it after the user applies and right before writing,
   * since the file or a folder above it may have been swapped for a link during the review.
   * Resolves with a sentence saying why nothing may be written, or undefined when the write may go ahead.
   */
  recheck(): Promise<string | undefined>;
}

/** Shows a proposed edit (a diff) and writes only what the user accepts; the host implements it. */
export interface EditProposer {
  propose(edit: ProposedEdit, signal: AbortSignal): Promise<EditDecision>;
}

export interface ProposeEditDeps {
  fs: WorkspaceFs;
  confinement: Confinement;
  proposer: EditProposer;
}

/** Files larger than this are not edited through a proposal, nor proposed (the whole text goes through the diff). */
export const EDIT_LIMIT_CHARS = 2_000_000;
/** Replacements one proposal may carry. */
export const EDIT_MAX_COUNT = 100;

/**
 * `propose_edit`: the model proposes new text for a file (replacements of exact snippets, or the
 * whole content for a new file); the user sees a diff, may revert parts of it, and applies or
 * discards. Nothing is written without that.
 */
export function proposeEditFunction({ fs, confinement, proposer }: ProposeEditDeps): WorkspaceFunction {
  return {
    definition: {
      name: 'propose_edit',
      description:
        'Propose a change to a file of the workspace. The user sees a diff and applies it, part of it, or nothing. Give edits (exact snippets of the current text and their replacements) for an existing file, or content for a new file.',
      parameters: {
        type: 'object',
        properties: {
          path: { type: 'string', description: 'Path of the file, relative to the workspace folder.' },
          edits: {
            type: 'array',
            minItems: 1,
            // Each edit scans the file (up to EDIT_LIMIT_CHARS) twice: a bound keeps the host responsive.
            maxItems: EDIT_MAX_COUNT,
            description: `Replacements applied in order, at most ${EDIT_MAX_COUNT}; each oldText must occur exactly once in the file.`,
            items: {
              type: 'object',
              properties: { oldText: { type: 'string', minLength: 1 }, newText: { type: 'string' } },
              required: ['oldText', 'newText'],
              additionalProperties: false,
            },
          },
          content: { type: 'string', description: 'The whole new content (for a new file, or a complete rewrite).' },
        },
        required: ['path'],
        additionalProperties: false,
      },
    },
    writes: true,
    async handle(args, { signal }) {
      const target = await confinement.resolve(args.path as string);
      if (!target.ok) throw new Error(target.reason);
      const edits = args.edits as Array<{ oldText: string; newText: string }> | undefined;
      const content = args.content as string | undefined;
      if ((edits === undefined) === (content === undefined)) throw new Error('give either edits or content, not both and not neither.');
      const stat = await fs.stat(target.absolute);
      if (stat && stat.type !== 'file') throw new Error(`${target.display} is not a file.`);
      if ((stat?.links ?? 1) > 1) throw new Error(hardLinked(target.display, stat?.links ?? 2));
      let original: string | undefined;
      if (stat) {
        const read = await readTextRange(fs, target.absolute, { maxChars: EDIT_LIMIT_CHARS + 1, signal });
        if (read.kind === 'binary') throw new Error(`${target.display} is a binary file; it cannot be edited here.`);
        if (read.cut) throw new Error(`${target.display} is too large to edit through a proposal (over ${EDIT_LIMIT_CHARS} characters).`);
        original = read.text;
      }
      if (edits && original === undefined) throw new Error(`${target.display} does not exist; give content to create it.`);
      // The model's text is shown in a diff and written: as bounded as a file that may be edited.
      if (content !== undefined && content.length > EDIT_LIMIT_CHARS) throw new Error(tooLong(target.display, content.length));
      const proposed = edits ? await applyEdits(original ?? '', edits, EDIT_LIMIT_CHARS, target.display, signal) : (content ?? '');
      if (proposed === original) return `The proposal leaves ${target.display} unchanged; nothing was shown to the user.`;
      const recheck = async (): Promise<string | undefined> => {
        const again = await confinement.resolve(args.path as string);
        if (!again.ok) return again.reason;
        if (again.absolute !== target.absolute) return `Refused: ${target.display} now leads to another file (a link was put in its place or above it).`;
        const now = await fs.stat(again.absolute);
        if (now && now.type !== 'file') return `Refused: ${target.display} is no longer a regular file.`;
        if ((now?.links ?? 1) > 1) return `Refused: ${hardLinked(target.display, now?.links ?? 2)}`;
        return undefined;
      };
      const decision = await proposer.propose({ absolute: target.absolute, display: target.display, original, proposed, recheck }, signal);
      if (!decision.applied) {
        if (decision.reason === 'refused') return `Nothing was written: when the user applied the edit, the path no longer passed the workspace check. ${decision.detail}`;
        if (decision.reason === 'changed') return `${target.display} changed while the user reviewed the proposal, so nothing was written. Read it again before proposing.`;
        if (decision.reason === 'stopped') return `The run was stopped; ${target.display} is unchanged.`;
        return `The user discarded the proposed edit; ${target.display} is unchanged.`;
      }
      if (decision.text === proposed) return `The user applied the edit to ${target.display}.`;
      return `The user applied the edit to ${target.display} with changes of their own (parts reverted or edited). Read the file again before further edits.`;
    },
  };
}

/**
 * Applies exact-snippet replacements in order; throws with the snippet's fate when one does not
 * occur exactly once, or when the text would grow past `maxChars` (`display` names the file then).
 * Each snippet is looked for in one pass linear in the text and the snippet (both may repeat one
 * character a million times), and the event loop runs between edits; `signal` stops it there.
 */
export async function applyEdits(text: string, edits: ReadonlyArray<{ oldText: string; newText: string }>, maxChars = Infinity, display = 'the file', signal?: AbortSignal): Promise<string> {
  let result = text;
  for (const [index, edit] of edits.entries()) {
    if (index > 0) {
      await new Promise((resolve) => setImmediate(resolve));
      signal?.throwIfAborted();
    }
    const [first, second] = occurrences(result, edit.oldText, 2);
    if (first === undefined) throw new Error(`edit ${index + 1}: oldText does not occur in the file; read the file and copy the text exactly.`);
    if (second !== undefined) throw new Error(`edit ${index + 1}: oldText occurs more than once; include more surrounding lines so it is unique.`);
    const length = result.length - edit.oldText.length + edit.newText.length;
    if (length > maxChars) throw new Error(`edit ${index + 1}: ${tooLong(display, length)}`);
    result = result.slice(0, first) + edit.newText + result.slice(first + edit.oldText.length);
  }
  return result;
}

/** Why a file with other names is not edited: a write changes it under each, and they may be anywhere on the disk. */
function hardLinked(display: string, links: number): string {
  return `${display} has ${links} names (hard links), which may be outside the workspace, and an edit would change the file under each of them; it is not edited here. Copy it to a file of its own to edit it.`;
}

function tooLong(display: string, length: number): string {
  return `the proposed text of ${display} has ${length} characters, more than a proposal may hold (${EDIT_LIMIT_CHARS}); propose a smaller file, or change it in smaller steps.`;
}
