/**
 * A window writing one assistant file, in a process of its own, for the suites that race windows
 * (`test/unit/core/assistantWrites.test.ts`, `bench/hostile.ts`). Each of `count` rounds reads the
 * file as a window's form would, adds the function `<prefix>_<round>` and updates the file with
 * what it read as the base; prints `done <conflicts>` at the end (a conflict is retried from a
 * fresh read, as a user would after Compare).
 *
 * Usage: `node --import tsx assistantWriter.ts <dir> <slug> <prefix> <count>`
 */
import * as path from 'node:path';
import { draftOf } from '../../src/core/assistants/assistantService';
import { FileAssistantStore } from '../../src/core/assistants/assistantStore';
import { AssistantConflictError } from '../../src/core/errors';
import { nodeFileSystem } from '../../src/core/workspace/fileSystem';

/** Adds `<prefix>_0` … `<prefix>_<count - 1>` to the assistant `slug` of `dir`, one update each; resolves to how many updates met a conflict. */
export async function addFunctions(dir: string, slug: string, prefix: string, count: number): Promise<number> {
  const store = new FileAssistantStore(nodeFileSystem, dir, 'workspace');
  const file = path.join(dir, `${slug}.assistant.json`);
  let conflicts = 0;
  for (let round = 0; round < count; ) {
    const entry = await store.read(file);
    const base = entry && draftOf(entry);
    if (!entry || !base) throw new Error(`${file} cannot be read as an assistant: ${JSON.stringify(entry?.errors)}`);
    const draft = { ...base, tools: [...base.tools, { type: 'function' as const, function: { name: `${prefix}_${round}` } }] };
    try {
      await store.update(entry.id, draft, { base });
      round++;
    } catch (error) {
      if (!(error instanceof AssistantConflictError)) throw error;
      conflicts++;
    }
  }
  return conflicts;
}

if (require.main === module) {
  const [dir, slug, prefix, count] = process.argv.slice(2);
  addFunctions(dir, slug, prefix, Number(count)).then(
    (conflicts) => console.log(`done ${conflicts}`),
    (error: unknown) => {
      console.error(error instanceof Error ? error.stack : String(error));
      process.exit(1);
    },
  );
}
