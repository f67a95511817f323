// Moves source files and rewrites every relative import that names them, so that a move is one
// mechanical step: `git mv` (git's rename detection then carries edits made elsewhere across) and
// nothing else changed but import specifiers.
//
//   node scripts/moveFiles.mjs MOVES.json [--dry-run] [--after]      (from the repository root)
//
// MOVES.json maps old paths to new ones, relative to the repository root: files
// ("src/core/runState.ts": "src/core/runs/runState.ts"). Every .ts/.mts/.cts/.js/.mjs/.cjs file
// under src/, test/, bench/, webview/ and scripts/ is read; each relative specifier (`from '…'`,
// `import '…'`, `import('…')`, `require('…')`, `export … from '…'`) is resolved from the importing
// file's old place and written again from its new place, keeping its form (with or without an
// extension). Specifiers that resolve to no file are left as they are.
//
// --after: the files stand at their new places already (a branch made before the move and rebased
// onto it): nothing is moved, and only specifiers that still name an old place, from the importing
// file's new place or its old one, are rewritten.
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';

const root = process.cwd();
const [mapFile, ...flags] = process.argv.slice(2);
if (!mapFile) {
  console.error('usage (from the repository root): node scripts/moveFiles.mjs MOVES.json [--dry-run] [--after]');
  process.exit(2);
}
const dryRun = flags.includes('--dry-run');
const after = flags.includes('--after');
const moves = new Map(Object.entries(JSON.parse(fs.readFileSync(mapFile, 'utf8'))).map(([from, to]) => [path.normalize(from), path.normalize(to)]));
/** Where a file stood before, for a file that moved (only read with --after). */
const movedFrom = new Map([...moves].map(([from, to]) => [to, from]));

for (const [from, to] of moves) {
  if (after) continue;
  if (!fs.existsSync(path.join(root, from))) throw new Error(`${from} does not exist`);
  if (fs.existsSync(path.join(root, to))) throw new Error(`${to} exists already`);
}

const SOURCE = /\.(ts|mts|cts|js|mjs|cjs)$/;
const RESOLVE_SUFFIXES = ['', '.ts', '.tsx', '.mts', '.cts', '.js', '.mjs', '.cjs', '.json', '/index.ts', '/index.js'];
const SPECIFIER = /(\bfrom\s*|\bimport\s*\(\s*|\brequire\s*\(\s*|\bimport\s+)(['"])(\.\.?\/[^'"\n]*|\.\.?)\2/g;

/** Every source file under the folders that hold code, as paths relative to the root. */
function sourceFiles() {
  const out = [];
  const walk = (dir) => {
    for (const entry of fs.readdirSync(path.join(root, dir), { withFileTypes: true })) {
      if (entry.name === 'node_modules' || entry.name.startsWith('.')) continue;
      const rel = path.join(dir, entry.name);
      if (entry.isDirectory()) walk(rel);
      else if (SOURCE.test(entry.name)) out.push(rel);
    }
  };
  for (const dir of ['src', 'test', 'bench', 'webview', 'scripts']) if (fs.existsSync(path.join(root, dir))) walk(dir);
  return out;
}

/**
 * The file (relative to the root) and the suffix a specifier was completed with, or undefined. With
 * --after, an old place in the map counts as a file, and a specifier that names nothing from the
 * importing file's place is read from the place it moved from.
 */
function resolve(fromFile, specifier) {
  const places = after && movedFrom.has(fromFile) ? [fromFile, movedFrom.get(fromFile)] : [fromFile];
  for (const place of places) {
    const base = path.normalize(path.join(path.dirname(place), specifier));
    for (const suffix of RESOLVE_SUFFIXES) {
      const candidate = base + suffix;
      const full = path.join(root, candidate);
      const stale = place !== fromFile;
      if (after && moves.has(candidate)) return { file: candidate, suffix, stale };
      if (fs.existsSync(full) && fs.statSync(full).isFile()) return { file: candidate, suffix, stale };
    }
  }
  return undefined;
}

/** The specifier naming `targetFile` from `fromFile`, completed by `suffix` as the original was. */
function specifierFor(fromFile, targetFile, suffix) {
  const stem = suffix ? targetFile.slice(0, -suffix.length) : targetFile;
  let rel = path.relative(path.dirname(fromFile), stem).split(path.sep).join('/');
  if (!rel.startsWith('.')) rel = `./${rel}`;
  return rel;
}

let rewritten = 0;
const changedFiles = [];
for (const file of sourceFiles()) {
  const newFile = after ? file : moves.get(file) ?? file;
  const text = fs.readFileSync(path.join(root, file), 'utf8');
  const next = text.replace(SPECIFIER, (whole, lead, quote, specifier) => {
    const target = resolve(file, specifier);
    if (!target) return whole;
    const newTarget = moves.get(target.file) ?? target.file;
    if (!target.stale && newTarget === target.file && newFile === file) return whole;
    const replacement = specifierFor(newFile, newTarget, target.suffix);
    if (replacement === specifier) return whole;
    rewritten += 1;
    return `${lead}${quote}${replacement}${quote}`;
  });
  if (next !== text) {
    changedFiles.push(file);
    if (!dryRun) fs.writeFileSync(path.join(root, file), next);
  }
}

if (!dryRun && !after) {
  for (const [from, to] of moves) {
    fs.mkdirSync(path.dirname(path.join(root, to)), { recursive: true });
    execFileSync('git', ['mv', from, to], { cwd: root, stdio: 'inherit' });
  }
}
console.log(`${after ? 0 : moves.size} files moved, ${rewritten} specifiers rewritten in ${changedFiles.length} files${dryRun ? ' (dry run)' : ''}`);
