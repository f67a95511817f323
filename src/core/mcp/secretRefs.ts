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
 * Puts the secrets a text refers to in place. Throws `bad_request` naming the first missing secret
 * and saying how to set it; `where` names what uses it ("the MCP server github").
 */
export async function resolveSecrets(text: string, lookup: SecretLookup, where: string): Promise<string> {
  const { names } = secretReferences(text);
  let result = text;
  for (const name of names) {
    const value = await lookup(name);
    if (value === undefined) throw new AssistantsError('bad_request', `The secret "${name}" that ${where} uses is not set for it: run "Assistants: Set MCP Secret" and enter it.`);
    result = result.split(`\${secret:${name}}`).join(value);
  }
  return result;
}

/** Every header of a record with its secrets in place (see `resolveSecrets`). */
export async function resolveRecord(record: Record<string, string> | undefined, lookup: SecretLookup, where: string): Promise<Record<string, string> | undefined> {
  if (!record) return undefined;
  const out: Record<string, string> = {};
  for (const [key, value] of Object.entries(record)) out[key] = await resolveSecrets(value, lookup, where);
  return out;
}
