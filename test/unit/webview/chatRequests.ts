/** The chat page's requests as tests make them: what the page asks goes to `post`; replies come back through `receive`. */
import type { ChatRequests, WebviewToHost } from '../../../src/common/protocol';
import type { RequestTimers } from '../../../src/common/requests';
import { Requester } from '../../../src/common/requests';

/** A `Requester` of the chat's requests posting to `post`; `timers` to fire time-outs by hand (by default they never fire). */
export function chatRequester(post: (message: WebviewToHost) => void = () => undefined, timers: RequestTimers = { set: () => undefined, clear: () => undefined }): Requester<ChatRequests> {
  return new Requester<ChatRequests>({ send: post, timeoutsMs: { 'chat/send': 15_000, 'chat/retry': 15_000, 'file/read': 20_000 }, timers });
}

/** The `file/read` requests among what a page posted: their payloads. */
export function fileReads(posted: readonly WebviewToHost[]): ChatRequests['file/read']['payload'][] {
  return posted.flatMap((m) => (m.type === 'request' && m.kind === 'file/read' ? [m.payload] : []));
}
