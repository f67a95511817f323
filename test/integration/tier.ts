/**
 * The integration tier as `npm test` runs it, in a process of its own so that the runner can limit
 * it: the suite inside code-server, against the fake server.
 * Usage: `tsx test/integration/tier.ts <artifacts folder> <report file>`; the report is a TierReport
 * as JSON.
 */
import '../support/endOnSignal';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { FakeOpenAIServer } from '../fakes/fakeServer';
import { repoRoot } from '../support/codeServer';
import type { TierReport } from '../support/report';
import { emptyReport } from '../support/report';
import { runIntegration } from '../support/runIntegration';

async function runIntegrationTier(artifactsDir: string): Promise<TierReport> {
  const fake = await FakeOpenAIServer.start({ timeScale: 0.2 });
  try {
    return await runIntegration({
      workspaceTemplate: path.join(repoRoot, 'sample-workspace'),
      extensionEnvironment: { OPENAI_BASE_URL: fake.baseUrl, OPENAI_API_KEY: 'integration-test-key' },
      artifactsDir,
    });
  } finally {
    await fake.close();
  }
}

const [artifactsDir, reportFile] = process.argv.slice(2);
if (!artifactsDir || !reportFile) {
  console.error('Usage: tsx test/integration/tier.ts <artifacts folder> <report file>');
  process.exit(2);
}
runIntegrationTier(artifactsDir)
  .catch((error: unknown): TierReport => ({ ...emptyReport(), failed: 1, failures: [`integration: ${error instanceof Error ? error.message : String(error)}`] }))
  .then((report) => {
    fs.writeFileSync(reportFile, JSON.stringify(report));
    process.exit(report.failed > 0 ? 1 : 0);
  });
