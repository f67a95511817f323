import * as assert from 'node:assert/strict';
import ignore from 'ignore';
import { Gitignore } from '../../../../src/core/workspace/gitignore';

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
    const started = Date.now();
    for (const file of ['a'.repeat(255), `${'a/'.repeat(300)}${'a'.repeat(200)}`, `src/${'ab'.repeat(120)}c`]) assert.equal(rules.ignores(file), false, file.slice(0, 20));
    assert.ok(Date.now() - started < 2_000, `took ${Date.now() - started} ms`);
  });

  it('takes braces as text, as git does, so {1..100000} expands to nothing', async () => {
    const rules = await Gitignore.parse('{1..100000}\n');
    assert.equal(rules.ignores('5'), false);
    assert.equal(rules.ignores('{1..100000}'), true);
  });
});
