// Installs the project's npm dependencies when they are missing or older than the lockfile, so that
// `npm start` and `npm test` work on a fresh clone. Plain Node: nothing is installed yet when it runs.
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';

const marker = 'node_modules/.package-lock.json';
const stale = !fs.existsSync(marker) || fs.statSync(marker).mtimeMs < fs.statSync('package-lock.json').mtimeMs;
// `npm ci` empties node_modules first; when that is a link, it empties the install it links to,
// which other checkouts may be using. Such an install is left to whoever owns it.
const linked = fs.lstatSync('node_modules', { throwIfNoEntry: false })?.isSymbolicLink() ?? false;
if (stale && linked) {
  console.log(`node_modules links to ${fs.realpathSync('node_modules')} and is older than package-lock.json; not reinstalling a linked install. If something is missing, run npm ci there.`);
} else if (stale) {
  console.log('Installing npm dependencies...');
  const result = spawnSync('npm', ['ci', '--no-audit', '--no-fund', '--loglevel=error'], { stdio: 'inherit' });
  if (result.status !== 0) process.exit(result.status ?? 1);
}
