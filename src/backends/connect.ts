import type { AssistantStore } from '../core/assistants/assistantStore';
import type { Backend } from '../core/backend';
import type { ProviderConfig } from '../core/provider';
import { AssistantsV2Backend } from './assistantsV2/assistantsV2Backend';
import { ServerAssistantStore } from './assistantsV2/serverAssistantStore';
import { createOpenAIClient } from './openaiClient';
import { ResponsesBackend } from './responses/responsesBackend';

/** What one provider configuration connects to: the run backend, and the server's assistants under Assistants v2. */
export interface Connection {
  backend: Backend;
  /** The server's assistant objects; absent under Responses, where assistants are files only. */
  serverAssistants?: AssistantStore;
}

/** The adapter for the configured protocol, on one SDK client. */
export function connect(config: ProviderConfig): Connection {
  const client = createOpenAIClient(config);
  const context = { baseUrl: config.azure?.endpoint ?? config.baseUrl, apiKey: config.apiKey };
  if (config.protocol === 'assistantsV2') return { backend: new AssistantsV2Backend(client, context), serverAssistants: new ServerAssistantStore(client, context) };
  return { backend: new ResponsesBackend(client, context) };
}
