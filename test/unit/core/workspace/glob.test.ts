import * as assert from 'node:assert/strict';
import { DEFAULT_DENY } from '../../../../src/core/workspace/confinement';
import { Glob, GLOB_LIST_MAX_PATTERNS, GLOB_LIST_MAX_SOURCE_CHARS, GLOB_MAX_EXPANSIONS, GLOB_MAX_SOURCE_CHARS, GlobError, GlobList } from '../../../../src/core/workspace/glob';
import { assertPrompt, startClock } from '../../support/prompt';

describe('Glob: one linear-time glob matcher', () => {
  const matches = (glob: string, path: string, matchBase = false) => Glob.compile(glob, { matchBase }).matches(path);

  it('speaks minimatch\'s glob syntax, dot files included and case ignored', () => {
    const table: Array<[string, string, boolean]> = [
      ['**/*.ts', 'a.ts', true],
      ['**/*.ts', 'src/deep/a.TS', true],
      ['**/*.ts', 'src/a.tsx', false],
      ['src/**', 'src/a/b', true],
      ['src/**', 'srcx/a', false],
      ['a/**/b/**/c', 'a/b/c', true],
      ['a/**/b/**/c', 'a/x/y/b/z/c', true],
      ['a/**/b/**/c', 'a/c', false],
      ['{a,b}/**/*.{js,ts}', 'b/y/z.ts', true],
      ['{a,b}/**/*.{js,ts}', 'c/x.js', false],
      ['file{1..3}.md', 'file2.md', true],
      ['file{1..3}.md', 'file4.md', false],
      ['[!a]?.md', 'bx.md', true],
      ['[!a]?.md', 'ax.md', false],
      ['[[:digit:]]x', '7x', true],
      ['x\\*y', 'x*y', true],
      ['x\\*y', 'xay', false],
      ['**/.env*', 'config/.env-dev', true],
      ['*', 'a/b', false],
      ['?', '/', false],
    ];
    for (const [glob, path, expected] of table) assert.equal(matches(glob, path), expected, `${glob} against ${path}`);
    assert.ok(matches('*.ts', 'src/a.ts', true), 'matchBase: a glob without / matches the name at any depth');
    assert.ok(!matches('*.ts', 'src/a.ts'));
  });

  it('takes extglob syntax as text: +(a|aa) is not a backtracking group', () => {
    assert.ok(matches('+(a|aa)+(a|aa)b', '+(a|aa)+(a|aa)b'));
    assert.ok(!matches('+(a|aa)+(a|aa)b', 'aab'));
  });

  it('answers promptly for globs that make backtracking matchers hang', () => {
    const hostile: Array<[string, string]> = [
      [`${'*a'.repeat(12)}b`, 'a'.repeat(255)],
      ['*a*a*a*b', 'a'.repeat(10_000)],
      [`${'**/'.repeat(50)}b`, `${'a/'.repeat(2_000)}c`],
      ['+(a|aa)+(a|aa)b', 'a'.repeat(5_000)],
      ['{a,aa}{a,aa}{a,aa}{a,aa}b', 'a'.repeat(5_000)],
    ];
    for (const [glob, path] of hostile) {
      const clock = startClock();
      assert.equal(Glob.compile(glob).matches(path), false, glob);
      assertPrompt(glob, clock);
    }
  });

  it('refuses a glob whose braces expand too far, or that is too long, with a sentence', () => {
    for (const glob of ['{1..100000}', '{1..100}{1..100}', `${'{a,b}'.repeat(20)}`, `x${'{a,b,c,d}'.repeat(5)}`]) {
      const clock = startClock();
      assert.throws(() => Glob.compile(glob), (error: unknown) => error instanceof GlobError && /more than 256 patterns/.test(error.message), glob);
      assertPrompt(glob, clock);
    }
    assert.throws(() => Glob.compile('a'.repeat(5_000)), /at most 1000 are accepted/);
    assert.equal(GLOB_MAX_EXPANSIONS, 256);
  });

  it('refuses a glob whose expansions translate to too large an expression, however short and few they are', () => {
    // Each within 1,000 characters and 256 expansions; compiled, they held the extension host up to 0.8 s.
    for (const glob of [`${'{a,b}'.repeat(8)}${'?'.repeat(950)}`, `${'{a,b,c,d}'.repeat(4)}${'*x'.repeat(480)}`, `${'{a,b}'.repeat(6)}${'/**/x'.repeat(180)}`]) {
      assert.throws(() => Glob.compile(glob), (error: unknown) => error instanceof GlobError && /^the glob is too large: its \d+ brace expansions make [\d,]+ characters of expression, and at most 8,000 are accepted/.test(error.message), glob.slice(0, 40));
    }
    assert.equal(GLOB_MAX_SOURCE_CHARS, 8_000);
    // A settings list cuts such a glob to its first expansions that fit, as it cuts braces past 256.
    const cut = new GlobList([`${'{a,b}'.repeat(8)}${'?'.repeat(950)}`]);
    assert.deepEqual(cut.unusable, []);
    assert.ok(cut.firstMatch(`aaaaaaaa${'x'.repeat(950)}`), 'the first expansion is kept');
    assert.equal(cut.firstMatch(`bbbbbbbb${'x'.repeat(950)}`), undefined, 'the last is cut');
  });

  it('a list compiles at most 16,000 characters of expression, and names the globs past them', () => {
    for (const [label, globs, first] of [
      ['500 globs of 990 ?', Array.from({ length: 500 }, (_, i) => `${'?'.repeat(990)}${i}`), `${'x'.repeat(990)}0`],
      ['500 globs of 495 *a', Array.from({ length: 500 }, (_, i) => `${'*a'.repeat(495)}${i}`), `${'a'.repeat(495)}0`],
    ] as const) {
      const list = new GlobList(globs);
      const kept = globs.length - list.unusable.length;
      assert.ok(kept >= 3 && kept < 20, `${label}: ${kept} kept`);
      assert.ok(list.unusable.every((u) => u.reason === "is past the list's limit of 16,000 characters of expression (its globs translated, together)"), label);
      assert.equal(list.firstMatch(first), globs[0], `${label}: the first glob works`);
    }
    assert.equal(GLOB_LIST_MAX_SOURCE_CHARS, 16_000);
  });

  it('a list says which of its globs hides a path or a folder above it, and keeps working past a broken one', () => {
    const list = new GlobList(['**/.git', '**/*.pem', '{1..100000}', 'x'.repeat(2_000)]);
    assert.equal(list.firstMatch('.git/config'), '**/.git');
    assert.equal(list.firstMatch('deploy/keys/site.PEM'), '**/*.pem');
    assert.equal(list.firstMatch('17'), '{1..100000}', 'an overreaching brace set is cut, not dropped');
    assert.equal(list.firstMatch('src/a.ts'), undefined);
    assert.deepEqual(list.unusable.map((u) => u.pattern), ['x'.repeat(2_000)]);
    assert.match(list.unusable[0].reason, /^cannot be used: the glob has 2000 characters/);
    assert.equal(new GlobList([]).firstMatch('a'), undefined);
    const refusing = new GlobList(['**/.git', '{1..100000}', '**/[z-a]'], { tooMany: 'refuse' });
    assert.equal(refusing.firstMatch('17'), undefined, 'a list that must not lose part of a glob leaves it out whole');
    assert.equal(refusing.firstMatch('.git/config'), '**/.git');
    assert.deepEqual(refusing.unusable.map((u) => u.pattern), ['{1..100000}', '**/[z-a]']);
    assert.match(refusing.unusable[0].reason, /expand to more than 256 patterns/);
    assert.match(refusing.unusable[1].reason, /^is not a valid glob \(.*invalid character class range/);
  });

  it('a list compiles at most 500 patterns, brace expansions counted, and names the globs past them', () => {
    for (const [label, globs] of [
      ['20,000 globs', Array.from({ length: 20_000 }, (_, i) => `**/x${i}`)],
      ['300 globs of 256 expansions', Array.from({ length: 300 }, (_, i) => `**/{a,b}{c,d}{e,f}{g,h}{i,j}{k,l}{m,n}{o,p}/x${i}*`)],
      ['2,000 globs of 100 classes', Array.from({ length: 2_000 }, (_, i) => `${'[[:alpha:]]'.repeat(90)}${i}`)],
    ] as const) {
      const clock = startClock();
      const list = new GlobList(globs);
      assertPrompt(label, clock);
      assert.equal(list.firstMatch(globs[0].startsWith('**/x') ? 'src/x0' : 'nothing/here'), globs[0].startsWith('**/x') ? '**/x0' : undefined, label);
      assert.ok(list.unusable.length >= globs.length - GLOB_LIST_MAX_PATTERNS, `${label}: ${list.unusable.length} left out`);
    }
    const many = new GlobList(Array.from({ length: 600 }, (_, i) => `**/x${i}`));
    assert.equal(many.firstMatch('a/x499'), '**/x499');
    assert.equal(many.firstMatch('a/x500'), undefined, 'past the limit');
    assert.deepEqual(many.unusable.map((u) => u.pattern), Array.from({ length: 100 }, (_, i) => `**/x${500 + i}`));
    assert.ok(many.unusable.every((u) => u.reason === "is past the list's limit of 500 patterns (brace expansions counted)"));
    assert.deepEqual(new GlobList(DEFAULT_DENY).unusable, [], 'the default deny list is well within it');
  });

  it('compares names in composed form and without regard to case, as macOS opens them: one file, many spellings', () => {
    const composed = 'contrase\u00f1a.txt';
    const decomposed = 'contrasen\u0303a.txt';
    for (const [pattern, path] of [
      [`**/${composed}`, `secrets/${decomposed}`],
      [`**/${decomposed}`, `secrets/${composed}`],
      [`**/${composed}`, `SECRETS/${decomposed.toUpperCase()}`],
      ['**/*.key', 'keys/site.\u212aey'],
      ['**/.ssh', '.\u017fsh/config'],
      ['**/caf\u00e9/**', 'cafe\u0301/menu.md'],
    ] as const) {
      assert.equal(new GlobList([pattern]).firstMatch(path), pattern, `${JSON.stringify(pattern)} on ${JSON.stringify(path)}`);
      assert.equal(Glob.compile(pattern, { descendants: true }).matches(path), true, `Glob ${JSON.stringify(pattern)} on ${JSON.stringify(path)}`);
    }
    assert.equal(new GlobList([`**/${composed}`]).firstMatch('contrasena.txt'), undefined, 'another name is another name');
  });
});
