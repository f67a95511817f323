import type { AbstractPage } from 'openai/core/pagination';
import { AssistantsError } from '../../core/errors';
import type { ErrorContext } from '../errorMapping';
import { hostOf } from '../errorMapping';

/** Pages one listing reads at most: 100,000 items at the 100 a page we ask for. */
export const MAX_PAGES = 1000;

/**
 * Every item of a listing, following `has_more` page by page as the SDK's own iteration does, but
 * bounded: a server that answers with a page it already sent (a cursor seen before: the same page
 * again with `has_more: true`, or a cycle) or keeps going past `maxPages` pages would keep the SDK
 * asking forever. The listing stops there and throws an `AssistantsError` of kind `server` that says
 * so (`what` names the items: "run steps"); callers that retry server errors retry it. A page
 * whose items are no list is no page of the API (`bad_response`); items without an id are skipped.
 */
export async function listAll<Item>(first: Promise<AbstractPage<Item>>, what: string, context: ErrorContext, maxPages = MAX_PAGES): Promise<Item[]> {
  let page = await first;
  const items = itemsOf(page, what, context);
  const seen = new Set<string>();
  for (let pages = 1; page.hasNextPage(); pages++) {
    const cursor = JSON.stringify(page.nextPageRequestOptions()?.query ?? null);
    if (seen.has(cursor)) {
      throw new AssistantsError('server', `The server at ${hostOf(context)} sent a page of ${what} it had sent before and said there was more, so the listing stopped after ${pages} pages. Try again later.`);
    }
    if (pages >= maxPages) {
      throw new AssistantsError('server', `The server at ${hostOf(context)} kept sending more pages of ${what}, so the listing stopped after ${pages} pages. Try again later.`);
    }
    seen.add(cursor);
    page = await page.getNextPage();
    items.push(...itemsOf(page, what, context));
  }
  return items;
}

/**
 * The items of one page: its `data` must be a list (else the listing fails with kind
 * `bad_response`, saying so); what in it is no object with an id (a null, a number) is left out,
 * since every listed object of the API has one and its readers go by it.
 */
export function itemsOf<Item>(page: AbstractPage<Item>, what: string, context: ErrorContext): Item[] {
  const data: unknown = page.getPaginatedItems();
  if (!Array.isArray(data)) {
    throw new AssistantsError('bad_response', `The server at ${hostOf(context)} sent a page of ${what} that is not a list. Check the "assistants.baseUrl" setting; if it is right, try again later.`);
  }
  return data.filter((item: unknown) => typeof item === 'object' && item !== null && typeof (item as { id?: unknown }).id === 'string') as Item[];
}
