import * as assert from 'node:assert/strict';
import ignore from 'ignore';
import { Gitignore } from '../../../../src/core/workspace/gitignore';
import { assertPrompt, startClock } from '../../support/prompt';

describe('Gitignore: .gitignore rules matched in linear time', () => {
  const gitignores = [
    'node_modules/\ndist\n*.log\n!keep.log\n',
    '/build\ndocs/**/*.tmp\n# a comment\n\\#hash\nfoo/*/bar\n',
    '*.py[co]\n**/cache/\n!src/cache/\nout/**\n\\!bang\ntrailing   \nspace\\ \n',
    'a/**/b\n?.txt\n[Dd]ebug/\n*.{js,ts}\n',
  ];
  const paths = [
    'node_modules/', 'node_modules/x/index.js', 'src/node_modules/', 'dist', 'dist/', 'dist/a.js', 'src/dist/x', 'a.log', 'logs/keep.log', 'keep.log',
    'build', 'build/', 'src/build/', 'docs/x/y.tmp', 'docs/y.tmp', '#hash', 'foo/x/bar', 'foo/x/y/bar', 'x.pyc', 'x.pyo', 'x.py', 'cache/', 'a/cache/',
    'src/cache/', 'src/cache/x', 'out/x', 'out/', '!bang', 'trailing', 'space ', 'a/b', 'a/x/y/b', 'b.txt', 'bb.txt', 'Debug/', 'debug/', 'x.{js,ts}', 'x.js',
  ];

  it('ignores what the ignore package ignored, for the rules git users write', async () => {
    for (const text of gitignores) {
      const ours = await Gitignore.parse(text);
      const theirs = ignore().add(text);
      for (const file of paths) assert.equal(ours.ignores(file), theirs.ignores(file), `${JSON.stringify(text)} on ${file}`);
    }
  });

  it('answers promptly for rules that make backtracking matchers hang, and yields while a big file compiles', async () => {
    const hostile = [`${'*a'.repeat(12)}b`, '**/*a*a*a*a*a*a*a*a*a*b', `${'**/'.repeat(200)}z`, '[a-z]*[a-z]*[a-z]*[a-z]*[a-z]*[a-z]*!', 'x'.repeat(2_000)];
    let longestGap = 0;
    let last = Date.now();
    const ticker = setInterval(() => {
      longestGap = Math.max(longestGap, Date.now() - last);
      last = Date.now();
    }, 1);
    const rules = await Gitignore.parse(`${hostile.join('\n')}\n${Array.from({ length: 20_000 }, (_, i) => `dir${i}/file${i}.*`).join('\n')}`);
    clearInterval(ticker);
    assert.ok(longestGap < 2_000, `the event loop was blocked for ${longestGap} ms`);
    const clock = startClock();
    for (const file of ['a'.repeat(255), `${'a/'.repeat(300)}${'a'.repeat(200)}`, `src/${'ab'.repeat(120)}c`]) assert.equal(rules.ignores(file), false, file.slice(0, 20));
    assertPrompt('matching', clock);
  });

  it('reads at most 100 runs of rules, so negations every other line cannot make each path thousands of tries', async () => {
    const deep = `${'d/'.repeat(60)}file.txt`;
    for (const [label, text] of [
      ['10,000 lines alternating *x and !*y', Array.from({ length: 10_000 }, (_, i) => (i % 2 ? `!*y${i}*` : `*x${i}*`)).join('\n')],
      ['10,000 lines alternating * and !*', Array.from({ length: 10_000 }, (_, i) => (i % 2 ? '!*' : '*')).join('\n')],
      ['1,300 long negations after one rule (200,000 characters, all a walk reads)', `*.txt\n${Array.from({ length: 1_300 }, (_, i) => `!${'[a-z]'.repeat(30)}${i}`).join('\n')}`],
    ] as const) {
      const clock = startClock();
      const rules = await Gitignore.parse(text);
      for (let i = 0; i < 20; i++) rules.ignores(deep);
      assertPrompt(label, clock);
    }
    // The first 100 runs are git's rules; what comes after them is left out.
    const runs = Array.from({ length: 120 }, (_, i) => (i % 2 ? `!keep${i}.txt` : `drop${i}.txt`));
    const rules = await Gitignore.parse(['*.log', ...runs].join('\n'));
    assert.equal(rules.ignores('a.log'), true);
    assert.equal(rules.ignores('drop2.txt'), true);
    assert.equal(rules.ignores('drop98.txt'), true);
    assert.equal(rules.ignores('drop110.txt'), false, 'a rule past the 100th run is left out');
  });

  it('leaves out rules of too many wildcards, and wildcards past 2,000 in all, so no rule set makes one path cost seconds', async () => {
    for (const [label, text, file] of [
      ['199 lines of *a written 495 times', Array.from({ length: 199 }, (_, i) => `${'*a'.repeat(495)}${i}`).join('\n'), `${'a'.repeat(496)}0`],
      ['199 lines of 990 ?', Array.from({ length: 199 }, (_, i) => `${'?'.repeat(990)}${i}`).join('\n'), `${'a'.repeat(990)}0`],
      ['2,000 lines of *a written 16 times', Array.from({ length: 2_000 }, (_, i) => `${'*a'.repeat(16)}${i}`).join('\n'), `${'a/'.repeat(10)}${'a'.repeat(900)}0`],
    ] as const) {
      const clock = startClock();
      const rules = await Gitignore.parse(`*.log\n${text}\nbuild/**`);
      for (let i = 0; i < 5; i++) rules.ignores(file);
      assertPrompt(label, clock, 1_000);
      assert.equal(rules.ignores('x.log'), true, `${label}: a rule before them still holds`);
      assert.equal(rules.ignores('build/x/y.js'), true, `${label}: a rule after them still holds`);
    }
    const rules = await Gitignore.parse(`${'*a'.repeat(33)}\n${'*b'.repeat(32)}\n`);
    assert.equal(rules.ignores('b'.repeat(32)), true, 'a rule of 32 wildcards is kept');
    assert.equal(rules.ignores('a'.repeat(33)), false, 'a rule of 33 wildcards is left out');
  });

  it('takes braces as text, as git does, so {1..100000} expands to nothing', async () => {
    const rules = await Gitignore.parse('{1..100000}\n');
    assert.equal(rules.ignores('5'), false);
    assert.equal(rules.ignores('{1..100000}'), true);
  });
});
