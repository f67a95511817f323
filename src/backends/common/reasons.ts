/**
 * An incomplete reason as the chat shows it, from either protocol: a word of the API's enum
 * (`max_output_tokens`, `content_filter`), else `unknown`; a server's long text, or one with line
 * breaks or other characters no enum word has, is no reason to put in the status line. Undefined
 * when the server gave none.
 */
export function reasonWord(value: unknown): string | undefined {
  if (value === undefined || value === null) return undefined;
  return typeof value === 'string' && /^[A-Za-z0-9_.-]{1,64}$/.test(value) ? value : 'unknown';
}
