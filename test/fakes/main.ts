import { FakeOpenAIServer } from './fakeServer';

/** Value of `--name <value>` on the command line. */
function option(name: string): number | undefined {
  const index = process.argv.indexOf(`--${name}`);
  const value = index === -1 ? undefined : Number(process.argv[index + 1]);
  return value !== undefined && Number.isFinite(value) && value >= 0 ? value : undefined;
}

// Entry for the offline demo (`npm start -- --mock`): `tsx test/fakes/main.ts --port 0 [--time-scale 1] [--poll-after-ms N]`.
async function main(): Promise<void> {
  const server = await FakeOpenAIServer.start({ port: option('port') ?? 0, timeScale: option('time-scale') || 1, pollAfterMs: option('poll-after-ms') });
  process.stdout.write(`FAKE_OPENAI_BASE_URL=${server.baseUrl}\n`);
  const stop = (): void => {
    void server.close().then(() => process.exit(0));
  };
  process.on('SIGTERM', stop);
  process.on('SIGINT', stop);
}

void main();
