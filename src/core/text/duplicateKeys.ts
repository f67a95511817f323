import { visit } from 'jsonc-parser';

/**
 * The first key written twice in one object of `text`, as a JSON pointer to it (`/tools/0/function/name`);
 * undefined when no object repeats a key. JSON.parse keeps the last of them silently, so a file can
 * say one thing where a reader looks and another where it counts. `text` must be JSON that parses
 * and nests a bounded depth (the visit recurses).
 */
export function duplicateKey(text: string): string | undefined {
  const objects: Set<string>[] = [];
  let found: string | undefined;
  visit(text, {
    onObjectBegin: () => {
      objects.push(new Set());
      return found === undefined;
    },
    onObjectEnd: () => void objects.pop(),
    onObjectProperty: (property, _offset, _length, _line, _character, pathSupplier) => {
      const keys = objects[objects.length - 1];
      if (found === undefined && keys.has(property)) found = pointer([...pathSupplier(), property]);
      keys.add(property);
    },
  });
  return found;
}

function pointer(parts: ReadonlyArray<string | number>): string {
  return parts.map((part) => `/${String(part).replace(/~/g, '~0').replace(/\//g, '~1')}`).join('');
}
