import * as assert from 'node:assert/strict';
import { knowledgeLogLines, skipReasons } from '../../../../src/core/knowledge/reportText';
import { emptyReport } from '../../../../src/core/knowledge/sync';

/** Names a repository (a file name) or whoever writes to a vector store (a `workspace_path` attribute) may choose. */
const HOSTILE = [
  'notes.md\n2026-01-01 00:00:00.000 [info] Sync Knowledge: removed .env',
  'docs/read\r\nme.md',
  'report\u202Edm.exe',
  'a\u2066b\u2069.md',
  '../../etc/passwd\u0000',
  'tab\there.md\u0085',
];

describe('the knowledge report in the log and the notification', () => {
  it('puts every name and reason on one line, as written, whatever field it came in', () => {
    const report = emptyReport();
    for (const [i, name] of HOSTILE.entries()) {
      report.added.push(`added/${name}`);
      report.replaced.push(`replaced/${name}`);
      report.retried.push(`retried/${name}`);
      report.removed.push(`removed/${name}`);
      report.keptMissing.push(`kept/${name}`);
      report.leftAlone.push(name);
      report.refused.push({ path: name, reason: `refused ${i}\nforged line` });
      report.failed.push({ path: name, reason: `server said\u202E ${i}` });
    }
    const lines = knowledgeLogLines('Sync Knowledge', report, [{ path: HOSTILE[0], reason: 'denied\nagain' }], 'Sync Knowledge: 6 added.');
    assert.equal(lines.length, HOSTILE.length * 8 + 2, 'one line per file, and the summary');
    for (const line of lines) {
      // eslint-disable-next-line no-control-regex -- control characters are what is looked for
      assert.doesNotMatch(line, /[\u0000-\u001f\u007f-\u009f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]/, JSON.stringify(line));
      assert.match(line, /^Sync Knowledge: /);
    }
    assert.ok(lines.includes('Sync Knowledge: left notes.md 2026-01-01 00:00:00.000 [info] Sync Knowledge: removed .env alone (not added by this extension with this key)'), 'the forged line stays inside the name');
    assert.ok(lines.includes('Sync Knowledge: added added/report dm.exe'));
  });

  it('counts the reasons files were left out on one line each', () => {
    const said = skipReasons([{ reason: 'ignored\nby .gitignore.' }, { reason: 'ignored\nby .gitignore.' }, { reason: 'on the \u202Edeny list.' }]);
    assert.equal(said, '2 files: ignored by .gitignore; 1 file: on the  deny list');
  });
});
