import type { BackendKind } from '../common/model';

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

/**
 * Which API key a server takes: one per provider and server, so an OpenAI key is never sent to an
 * Azure resource or to a local server, and switching the base URL switches the key. `id` names the
 * key in secret storage (never the key itself); `label` says in a sentence whose key it is.
 * Azure OpenAI's key belongs to the resource, so its scope is the endpoint's origin (the v1 path
 * and the deployments path share it); any other server's scope is its whole base URL.
 */
export interface KeyScope {
  id: string;
  label: string;
}

export function keyScope(provider: 'openai' | 'azure', baseUrl: string): KeyScope {
  let url: URL | undefined;
  try {
    url = new URL(baseUrl);
  } catch {
    url = undefined;
  }
  if (!url) {
    const raw = baseUrl.trim().replace(/\/+$/, '');
    return { id: `${provider} ${raw}`, label: provider === 'azure' ? `Azure OpenAI at ${raw}` : raw };
  }
  if (provider === 'azure') return { id: `azure ${url.origin}`, label: `Azure OpenAI at ${url.host}` };
  const base = `${url.origin}${url.pathname.replace(/\/+$/, '')}`;
  if (base === DEFAULT_BASE_URL) return { id: `openai ${base}`, label: 'OpenAI' };
  return { id: `openai ${base}`, label: `${url.host}${url.pathname.replace(/\/+$/, '')}` };
}
