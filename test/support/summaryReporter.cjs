// A mocha reporter: the usual spec output, plus a JSON summary written to $MOCHA_SUMMARY_FILE so that
// `npm test` can add up every tier.
const fs = require('node:fs');
const Mocha = require('mocha');

class SummaryReporter extends Mocha.reporters.Spec {
  constructor(runner, options) {
    super(runner, options);
    const failures = [];
    runner.on('fail', (test, error) => failures.push(`${test.fullTitle()}: ${error && error.message ? error.message : String(error)}`));
    runner.once('end', () => {
      const file = process.env.MOCHA_SUMMARY_FILE;
      if (!file) return;
      const stats = runner.stats || {};
      fs.writeFileSync(file, JSON.stringify({ passed: stats.passes || 0, failed: stats.failures || 0, skipped: stats.pending || 0, failures }));
    });
  }
}

module.exports = SummaryReporter;
