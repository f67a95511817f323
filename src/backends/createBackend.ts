import type { AssistantStore } from '../core/assistantStore';
import type { Backend } from '../core/backend';
import type { ProviderConfig } from '../core/provider';
import { AssistantsV2Backend } from './assistantsV2/assistantsV2Backend';
import { createOpenAIClient } from './openaiClient';
import { ResponsesBackend } from './responses/responsesBackend';

/** The adapter for the configured protocol, on one SDK client. */
export function createBackend(config: ProviderConfig, assistants: AssistantStore): Backend {
  const client = createOpenAIClient(config);
  const context = { baseUrl: config.azure?.endpoint ?? config.baseUrl, apiKey: config.apiKey };
  return config.protocol === 'assistantsV2' ? new AssistantsV2Backend(client, context) : new ResponsesBackend(client, assistants, context);
}
