import type { BackendKind } from './model';

/**
 * How to reach the server: which wire protocol, where, and with which key. Built by the host from
 * settings and SecretStorage; the backends turn it into an SDK client.
 */
export interface ProviderConfig {
  protocol: BackendKind;
  /** Never logged, never put in an error message. */
  apiKey: string;
  /** Defaults to https://api.openai.com/v1. */
  baseUrl?: string;
  /** Set for Azure OpenAI: the SDK's AzureOpenAI client is used instead. */
  azure?: { endpoint: string; apiVersion: string; deployment?: string };
  organization?: string;
  project?: string;
}

export const DEFAULT_BASE_URL = 'https://api.openai.com/v1';
