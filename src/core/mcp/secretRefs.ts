import { AssistantsError } from '../errors';
import { secretReferences } from '../assistants/fileSecrets';

/**
 * Puts the secrets an assistant file's MCP settings refer to (`${secret:name}`, see
 * `../assistants/fileSecrets.ts`) in place, from VS Code's SecretStorage, just before a request or a
 * server start.
 */

/** Looks a secret up by name: its value, or undefined when none is set (or it may not go where it is asked to go). */
export type SecretLookup = (name: string) => Promise<string | undefined>;

/**
 * Where secrets are put in place: the server (its label), the target the secret must be set for
 * (an origin, or `stdio`), and, for a server of VS Code's MCP configuration, the configuration's
 * name and its inputs' descriptions (its `${input:ID}` became `${secret:ID}`).
 */
export interface SecretPlace {
  server: string;
  target: string;
  config?: { label: string; inputs: ReadonlyMap<string, string> };
}

/** A secret an MCP server's settings name is not set for its target: which one, where, and a sentence saying how to set it. */
export class MissingSecretError extends AssistantsError {
  constructor(readonly secret: { name: string; server: string; target: string }, config?: SecretPlace['config']) {
    const description = config?.inputs.get(secret.name);
    super(
      'bad_request',
      config
        ? `The MCP server ${secret.server} of ${config.label} needs the input "${secret.name}"${description ? ` (${description})` : ''}, which is not set: click Set MCP Secret (or run "Assistants: Set MCP Secret") and enter it.`
        : `The secret "${secret.name}" that the MCP server ${secret.server} uses is not set for it: click Set MCP Secret (or run "Assistants: Set MCP Secret") and enter it.`,
    );
    this.name = 'MissingSecretError';
  }
}

/** Puts the secrets a text refers to in place. Throws `MissingSecretError` (a `bad_request`) naming the first missing secret. */
export async function resolveSecrets(text: string, lookup: SecretLookup, place: SecretPlace): Promise<string> {
  const { names } = secretReferences(text);
  let result = text;
  for (const name of names) {
    const value = await lookup(name);
    if (value === undefined) throw new MissingSecretError({ name, server: place.server, target: place.target }, place.config);
    result = result.split(`\${secret:${name}}`).join(value);
  }
  return result;
}

/** Every value of a record (headers, environment) with its secrets in place (see `resolveSecrets`). */
export async function resolveRecord(record: Record<string, string> | undefined, lookup: SecretLookup, place: SecretPlace): Promise<Record<string, string> | undefined> {
  if (!record) return undefined;
  const out: Record<string, string> = {};
  for (const [key, value] of Object.entries(record)) out[key] = await resolveSecrets(value, lookup, place);
  return out;
}
