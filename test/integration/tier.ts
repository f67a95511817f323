/** The integration tier as `npm test` runs it: the suite inside code-server. */
import * as path from 'node:path';
import { repoRoot } from '../support/codeServer';
import type { TierReport } from '../support/report';
import { runIntegration } from '../support/runIntegration';

export async function runIntegrationTier(artifactsDir: string): Promise<TierReport> {
  return runIntegration({
    workspaceTemplate: path.join(repoRoot, 'sample-workspace'),
    extensionEnvironment: {},
    artifactsDir,
  });
}
