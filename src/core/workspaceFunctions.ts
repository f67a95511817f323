import * as path from 'node:path';
import type { ToolHandler } from './toolHandler';
import type { FunctionCallRequest, ToolDefinition, ToolOutput } from './model';

/** Reads a file of the workspace; the host implements it with the editor's file system. */
export interface WorkspaceReader {
  /** Workspace folders as absolute paths; the first is where relative paths start. */
  roots(): string[];
  /** The file's bytes, or undefined when there is no such file. */
  readFile(absolutePath: string): Promise<Uint8Array | undefined>;
  /** The path with every symbolic link resolved; the path itself when it cannot be resolved. */
  realPath(absolutePath: string): Promise<string>;
}

export const READ_FILE_TOOL: ToolDefinition = {
  type: 'function',
  function: {
    name: 'read_file',
    description:
      "Read a UTF-8 text file from the user's VS Code workspace. The path is relative to the workspace root (for example src/index.ts). Files outside the workspace cannot be read.",
    parameters: {
      type: 'object',
      properties: { path: { type: 'string', description: 'Path of the file, relative to the workspace root.' } },
      required: ['path'],
      additionalProperties: false,
    },
    strict: true,
  },
};

/** Larger files are cut: the model's context is the limit, not the disk. */
export const READ_FILE_LIMIT = 100_000;

/**
 * Resolves `requested` against the workspace roots and refuses anything that lands outside them
 * (`..`, absolute paths elsewhere). Returns the absolute path or a sentence saying why not.
 */
export function resolveInWorkspace(roots: string[], requested: string): { path: string } | { error: string } {
  if (roots.length === 0) return { error: 'No folder is open in VS Code, so there are no workspace files to read.' };
  const cleaned = requested.trim().replace(/^["']|["']$/g, '');
  if (!cleaned) return { error: 'No path was given.' };
  const absolute = path.isAbsolute(cleaned) ? path.normalize(cleaned) : path.resolve(roots[0], cleaned);
  return isInside(roots, absolute) ? { path: absolute } : { error: `Refused: ${requested} is outside the workspace.` };
}

function isInside(roots: string[], absolute: string): boolean {
  return roots.some((root) => {
    const relative = path.relative(root, absolute);
    return relative === '' || (relative !== '..' && !relative.startsWith(`..${path.sep}`) && !path.isAbsolute(relative));
  });
}

async function readFileCall(reader: WorkspaceReader, call: FunctionCallRequest): Promise<string> {
  let requested: unknown;
  try {
    requested = (JSON.parse(call.arguments) as { path?: unknown }).path;
  } catch {
    return 'Error: the arguments were not valid JSON.';
  }
  if (typeof requested !== 'string') return 'Error: "path" must be a string.';
  const resolved = resolveInWorkspace(reader.roots(), requested);
  if ('error' in resolved) return `Error: ${resolved.error}`;
  // A link inside the workspace may point anywhere (a cloned repo can ship one to ~/.ssh): check where it lands.
  const [target, ...roots] = await Promise.all([reader.realPath(resolved.path), ...reader.roots().map((root) => reader.realPath(root))]);
  if (!isInside(roots, target)) return `Error: Refused: ${requested} links to a file outside the workspace.`;
  const bytes = await reader.readFile(target);
  if (!bytes) return `Error: ${requested} does not exist in the workspace.`;
  const text = new TextDecoder('utf-8', { fatal: false }).decode(bytes);
  if (text.includes('\u0000')) return `Error: ${requested} is a binary file.`;
  return text.length > READ_FILE_LIMIT ? `${text.slice(0, READ_FILE_LIMIT)}\n[… cut at ${READ_FILE_LIMIT} characters of ${text.length}]` : text;
}

/**
 * Answers the workspace functions this extension offers. Calls to functions it does not know are
 * answered with an error output, so the run never hangs on them. In an untrusted workspace every
 * call is refused.
 */
export function workspaceToolHandler(reader: WorkspaceReader, trusted: () => boolean): ToolHandler {
  return {
    async handle(calls) {
      if (!trusted()) {
        return calls.map((call) => ({ callId: call.callId, output: 'Error: workspace functions are off because this workspace is not trusted.' }));
      }
      return Promise.all(
        calls.map(async (call): Promise<ToolOutput> => {
          if (call.name === 'read_file') return { callId: call.callId, output: await readFileCall(reader, call) };
          return { callId: call.callId, output: `Error: no workspace function named ${call.name} is available.` };
        }),
      );
    },
  };
}
