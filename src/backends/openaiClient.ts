import { AzureOpenAI, OpenAI } from 'openai';
import type { ProviderConfig } from '../core/provider';
import { DEFAULT_BASE_URL } from '../core/provider';

/** Long enough for a slow first byte of a stream, short enough that a dead connection surfaces. */
const REQUEST_TIMEOUT_MS = 120_000;

/**
 * The one place an SDK client is built. `maxRetries: 0` because the run driver retries itself and
 * reports each wait to the user; the SDK would otherwise wait silently.
 */
export function createOpenAIClient(config: ProviderConfig, options: { fetch?: typeof fetch } = {}): OpenAI {
  const common = {
    apiKey: config.apiKey,
    organization: config.organization ?? null,
    project: config.project ?? null,
    maxRetries: 0,
    timeout: REQUEST_TIMEOUT_MS,
    ...(options.fetch ? { fetch: options.fetch } : {}),
  };
  if (config.azure) {
    return new AzureOpenAI({
      ...common,
      endpoint: config.azure.endpoint,
      apiVersion: config.azure.apiVersion,
      ...(config.azure.deployment ? { deployment: config.azure.deployment } : {}),
    });
  }
  return new OpenAI({ ...common, baseURL: config.baseUrl ?? DEFAULT_BASE_URL });
}
