/**
 * The same integration suite through @vscode/test-electron, the ecosystem's standard runner, for
 * machines that can download a desktop VS Code (`npm run test:electron`). `npm test` uses
 * code-server instead, which works offline.
 */
import * as path from 'node:path';
import { runTests } from '@vscode/test-electron';
import { repoRoot } from '../support/codeServer';

runTests({
  extensionDevelopmentPath: repoRoot,
  extensionTestsPath: path.join(repoRoot, 'out', 'test', 'integration', 'index.js'),
  launchArgs: [path.join(repoRoot, 'sample-workspace'), '--disable-extensions', '--disable-workspace-trust'],
}).catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : String(error));
  process.exit(1);
});
