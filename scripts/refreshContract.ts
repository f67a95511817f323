/**
 * `npm run contract:refresh`: downloads OpenAI's OpenAPI description anew from its public source
 * (https://github.com/openai/openai-openapi, the default branch's `openapi.yaml`) into
 * test/contract/openai-openapi.yaml, byte for byte, and updates the date and version line of
 * test/contract/README.md. The file is replaced only when the download is a whole OpenAPI document.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { parse } from 'yaml';

const SOURCE_URL = 'https://raw.githubusercontent.com/openai/openai-openapi/HEAD/openapi.yaml';
const contractDir = path.resolve(__dirname, '..', 'test', 'contract');
const specFile = path.join(contractDir, 'openai-openapi.yaml');
const readmeFile = path.join(contractDir, 'README.md');

async function main(): Promise<void> {
  console.log(`Downloading ${SOURCE_URL} ...`);
  const response = await fetch(SOURCE_URL).catch((error: unknown) => {
    throw new Error(`Could not reach ${new URL(SOURCE_URL).host} (${error instanceof Error ? error.message : String(error)}). The file was left as it was.`);
  });
  if (!response.ok) throw new Error(`The download failed: HTTP ${response.status} ${response.statusText}. The file was left as it was.`);
  const bytes = Buffer.from(await response.arrayBuffer());
  const doc = parse(bytes.toString('utf8'), { maxAliasCount: -1 }) as { openapi?: unknown; info?: { version?: unknown }; paths?: unknown } | null;
  if (typeof doc?.openapi !== 'string' || typeof doc.paths !== 'object') throw new Error('The download is not an OpenAPI document. The file was left as it was.');
  const version = String(doc.info?.version ?? 'unknown');

  const partial = `${specFile}.download`;
  fs.writeFileSync(partial, bytes);
  fs.renameSync(partial, specFile);
  const today = new Date().toISOString().slice(0, 10);
  const readme = fs.readFileSync(readmeFile, 'utf8').replace(/dated \d{4}-\d{2}-\d{2} \(`info\.version` [^)]*\)/, `dated ${today} (\`info.version\` ${version})`);
  fs.writeFileSync(readmeFile, readme);
  console.log(`Wrote ${path.relative(process.cwd(), specFile)} (${bytes.length} bytes, OpenAPI ${doc.openapi}, info.version ${version}, dated ${today}).`);
  console.log('Run `npm test -- --only unit,contract` to see whether the project still matches it.');
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : String(error));
  process.exit(1);
});
