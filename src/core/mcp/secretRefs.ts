import { AssistantsError } from '../errors';

/**
 * Secret references in an assistant file's MCP settings: `${secret:name}` inside a header value
 * (`"Authorization": "Bearer ${secret:github}"`), an `authorization` token or a local server's
 * environment. The file holds only the name; the value lives in VS Code's SecretStorage, set with
 * "Assistants: Set MCP Secret", and is put in place just before a request or a server start.
 */

/** A secret's name: letters, digits, `_`, `.` and `-`, at most 64. */
export const SECRET_NAME = /^[A-Za-z0-9_.-]{1,64}$/;

const REFERENCE = /\$\{([^}]*)\}/g;

/** The names a text refers to, in order, each once; and the references that are not `secret:<name>`. */
export function secretReferences(text: string): { names: string[]; invalid: string[] } {
  const names: string[] = [];
  const invalid: string[] = [];
  for (const match of text.matchAll(REFERENCE)) {
    const inner = match[1];
    const name = inner.startsWith('secret:') ? inner.slice('secret:'.length) : undefined;
    if (name !== undefined && SECRET_NAME.test(name)) {
      if (!names.includes(name)) names.push(name);
    } else {
      invalid.push(match[0]);
    }
  }
  return { names, invalid };
}

/**
 * Whether a header or environment variable of this name carries a credential, so its value must
 * be a secret reference rather than text in the file: `Authorization`, `Cookie`, anything naming a
 * token, key, secret or password.
 */
export function namesCredential(name: string): boolean {
  return /auth|cookie|token|secret|passw|(^|[-_])(api[-_]?)?key($|[-_])|apikey/i.test(name);
}

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
