/**
 * Which links the chat may render as links. Model output and server annotations are untrusted: a
 * `javascript:` or `command:` URL in an `href` would run or reach VS Code on a click.
 */

/**
 * Markdown links: the web, mail, in-page anchors, and `sandbox:/…` links to files the code
 * interpreter wrote (never left as an `href`: see `SANDBOX_ATTRIBUTE`). DOMPurify drops any other `href`.
 */
export const MARKDOWN_LINK_PATTERN = /^(?:https?:|mailto:|#|sandbox:\/)/i;

/** Where a `sandbox:` link's target goes instead of its `href`: the chat turns it into Save for the kept file. */
export const SANDBOX_ATTRIBUTE = 'data-sandbox';

/** The path a `sandbox:` link names (`sandbox:/mnt/data/x.csv` → `/mnt/data/x.csv`), percent-decoded, as src/core/threads/keptFiles reads it. */
export function sandboxPath(text: string | undefined): string | undefined {
  const match = /^sandbox:(\/\S+)$/.exec(text?.trim() ?? '');
  if (!match) return undefined;
  try {
    return decodeURIComponent(match[1]);
  } catch {
    return match[1];
  }
}

/**
 * The `href` for a URL from the server (a citation's source), or undefined when it is not plain
 * `https:`/`http:` and must show as text. Parsing, rather than a prefix test, sees through the
 * tabs, newlines and letter case a browser ignores in a scheme.
 */
export function safeHref(url: string): string | undefined {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return undefined;
  }
  return parsed.protocol === 'https:' || parsed.protocol === 'http:' ? parsed.href : undefined;
}

/**
 * Whether `url` is an inline raster image (PNG, JPEG, GIF or WebP, base64): the only `data:` URL
 * the chat puts on the page. SVG is refused: it is a document that can carry script and links.
 */
export function isRasterDataImage(url: string): boolean {
  return /^data:image\/(?:png|jpeg|gif|webp);base64,[A-Za-z0-9+/=]*$/i.test(url);
}

