import * as assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

const SCRIPT = path.resolve(__dirname, '..', '..', '..', 'scripts', 'moveFiles.mjs');

describe('scripts/moveFiles.mjs', function () {
  this.timeout(20_000);
  let repo: string;
  const write = (file: string, text: string) => {
    fs.mkdirSync(path.dirname(path.join(repo, file)), { recursive: true });
    fs.writeFileSync(path.join(repo, file), text);
  };
  const read = (file: string) => fs.readFileSync(path.join(repo, file), 'utf8');
  const git = (...args: string[]) => execFileSync('git', ['-c', 'user.name=t', '-c', 'user.email=t@example.com', ...args], { cwd: repo, encoding: 'utf8' });
  const move = (moves: Record<string, string>, ...flags: string[]) => {
    fs.writeFileSync(path.join(repo, 'moves.json'), JSON.stringify(moves));
    return execFileSync(process.execPath, [SCRIPT, 'moves.json', ...flags], { cwd: repo, encoding: 'utf8' });
  };
  const MOVES = { 'src/a/x.ts': 'src/c/x.ts', 'src/a/y.ts': 'src/d/e/y.ts' };

  beforeEach(() => {
    repo = fs.mkdtempSync(path.join(os.tmpdir(), 'move-files-'));
    git('init', '-q');
    write('src/a/x.ts', 'export const x = 1;\n');
    write('src/a/y.ts', "import { x } from './x';\nimport type { U } from './unmoved';\nexport const later = () => import('./x');\nexport * from './x';\nexport type V = U | typeof x;\n");
    write('src/a/unmoved.ts', "export type U = string;\nimport { nothing } from './missing';\nexport const n = nothing;\n");
    write('test/t.test.ts', "import { x } from '../src/a/x';\nconst again = require('../src/a/x.ts');\nexport const both = [x, again];\n");
    git('add', '-A');
    git('commit', '-qm', 'start');
  });
  afterEach(() => fs.rmSync(repo, { recursive: true, force: true }));

  it('moves the files with git mv and rewrites every form of import that names them, from both ends', () => {
    move(MOVES);
    assert.ok(!fs.existsSync(path.join(repo, 'src/a/x.ts')) && fs.existsSync(path.join(repo, 'src/c/x.ts')));
    assert.equal(read('src/d/e/y.ts'), "import { x } from '../../c/x';\nimport type { U } from '../../a/unmoved';\nexport const later = () => import('../../c/x');\nexport * from '../../c/x';\nexport type V = U | typeof x;\n");
    assert.equal(read('test/t.test.ts'), "import { x } from '../src/c/x';\nconst again = require('../src/c/x.ts');\nexport const both = [x, again];\n", 'the extension stays as it was written');
    assert.equal(read('src/a/unmoved.ts'), "export type U = string;\nimport { nothing } from './missing';\nexport const n = nothing;\n", 'a specifier naming no file is left alone');
    const status = git('status', '--porcelain').split('\n').filter(Boolean).sort();
    assert.deepEqual(status.filter((line) => line.startsWith('R')), ['R  src/a/x.ts -> src/c/x.ts', 'RM src/a/y.ts -> src/d/e/y.ts'], 'git sees renames');
  });

  it('--dry-run changes nothing', () => {
    assert.match(move(MOVES, '--dry-run'), /2 files moved, 6 specifiers rewritten in 2 files \(dry run\)/);
    assert.equal(git('status', '--porcelain'), '?? moves.json\n');
  });

  it('--after rewrites only what still names an old place: a new file beside the old one, and a moved file given an import from where it stood', () => {
    move(MOVES);
    git('commit', '-qam', 'moved');
    write('src/a/late.ts', "import { x } from './x';\nimport type { U } from './unmoved';\nexport const l: U = String(x);\n");
    fs.appendFileSync(path.join(repo, 'src/d/e/y.ts'), "import { n } from './unmoved';\nexport const m = n;\n");
    assert.match(move(MOVES, '--after'), /0 files moved, 2 specifiers rewritten in 2 files/);
    assert.equal(read('src/a/late.ts'), "import { x } from '../c/x';\nimport type { U } from './unmoved';\nexport const l: U = String(x);\n");
    assert.match(read('src/d/e/y.ts'), /import \{ n \} from '\.\.\/\.\.\/a\/unmoved';\n/);
    assert.ok(fs.existsSync(path.join(repo, 'src/c/x.ts')), 'nothing moved');
  });
});
