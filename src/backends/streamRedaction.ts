import type { RunEvent } from '../common/events';
import type { ErrorContext } from './errorMapping';
import { MIN_KEY_PIECE, keyPieceAtEnd, keyPieces, redact, redactServerText } from './errorMapping';

/**
 * The end of `text` that may be part of a secret still arriving, held back until more text shows
 * what it is: the longest end of it that appears in the key (a piece of the key, quoted with or
 * without its prefix, may go on in the next delta), reaching back to the start of a piece of the
 * key long enough to mask that it runs into; or a trailing word shaped like an OpenAI key (`sk-…`,
 * `sess-…`, or the first letters of those). Returns the index where that end starts
 * (`text.length` when none).
 */
export function secretTailStart(text: string, apiKey: string | undefined): number {
  let start = text.length;
  if (apiKey && apiKey.length >= MIN_KEY_PIECE) {
    start = text.length - keyPieceAtEnd(text, apiKey);
    // A piece already long enough to mask may go on into the held end: hold it whole, so no part of it goes out unmasked.
    for (const piece of keyPieces(text, apiKey)) if (piece.start < start && piece.end > start) start = piece.start;
  }
  const shaped = /\b(?:sk?|se(?:ss?)?|(?:sk|sess)-[A-Za-z0-9_*-]*)$/.exec(text);
  return shaped ? Math.min(start, shaped.index) : start;
}

/**
 * Masks the key in streamed answer text even when the server splits it across deltas, which
 * masking each event alone cannot catch ("prox" + "ykey-…"). Text of each message part that may be
 * the start of a secret is held back until the next delta shows what it is, or until the message
 * completes, the run changes or fails, or the stream ends ({@link StreamRedactor.flush}). Every
 * other event is masked whole, as {@link redactServerText} does.
 *
 * One instance per stream; `pass` for each event in order, then `flush` once at its end.
 */
export class StreamRedactor {
  /** Held text per message part, keyed `messageId` + NUL + part index, in arrival order. */
  private readonly held = new Map<string, { messageId: string; index: number; text: string }>();

  constructor(private readonly context: ErrorContext) {}

  /** The events to hand up for `event`: held text released before it where it concludes that text. */
  pass(event: RunEvent): RunEvent[] {
    if (event.type === 'message.delta') return this.delta(event);
    // A whole message (the final one, or one sent again because a part or a citation came) carries all its text.
    const released = event.type === 'message.completed' || event.type === 'message.created' ? this.release(event.message.id) : event.type === 'run.updated' || event.type === 'error' ? this.flush() : [];
    return [...released, redactServerText(event, this.context)];
  }

  /** Releases everything still held, masked: the stream ended or the run moved on. */
  flush(): RunEvent[] {
    return [...new Set([...this.held.values()].map((part) => part.messageId))].flatMap((id) => this.release(id));
  }

  private delta(event: Extract<RunEvent, { type: 'message.delta' }>): RunEvent[] {
    const key = `${event.messageId}\u0000${event.index}`;
    const text = (this.held.get(key)?.text ?? '') + event.text;
    const cut = secretTailStart(text, this.context.apiKey);
    if (cut < text.length) this.held.set(key, { messageId: event.messageId, index: event.index, text: text.slice(cut) });
    else this.held.delete(key);
    return cut > 0 ? [{ ...event, text: redact(text.slice(0, cut), this.context) }] : [];
  }

  private release(messageId: string): RunEvent[] {
    const events: RunEvent[] = [];
    for (const [key, part] of this.held) {
      if (part.messageId !== messageId) continue;
      this.held.delete(key);
      events.push({ type: 'message.delta', messageId, index: part.index, text: redact(part.text, this.context) });
    }
    return events;
  }
}
