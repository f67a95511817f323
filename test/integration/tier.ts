/** The integration tier as `npm test` runs it: the suite inside code-server, against the fake server. */
import * as path from 'node:path';
import { FakeOpenAIServer } from '../fakes/fakeServer';
import { repoRoot } from '../support/codeServer';
import type { TierReport } from '../support/report';
import { runIntegration } from '../support/runIntegration';

export async function runIntegrationTier(artifactsDir: string): Promise<TierReport> {
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
