/**
 * Secret references in an assistant file's MCP settings: `${secret:name}` inside a header value
 * (`"Authorization": "Bearer ${secret:github}"`), an `authorization` token or a local server's
 * environment. The file holds only the name; the value lives in VS Code's SecretStorage, set with
 * "Assistants: Set MCP Secret", and is put in place by `../mcp/secretRefs.ts` just before a request
 * or a server start. The syntax is the file's, so the file's checks read it here without reaching
 * up to the MCP room.
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
