import type { OpenAI } from 'openai';
import { mergeDrafts } from '../../core/assistants/assistantMerge';
import type { AssistantEntry, AssistantStore, UpdateOptions } from '../../core/assistants/assistantStore';
import type { Assistant, AssistantDraft } from '../../common/model';
import type { ErrorContext } from '../errorMapping';
import { toAssistantsError } from '../errorMapping';
import { listAll } from '../common/pages';
import { fromWireAssistant, toWireAssistantBody } from './mapAssistant';

const PAGE_SIZE = 100;

/**
 * The assistant objects of an Assistants v2 server, edited in place: under that protocol the
 * server's objects are the truth. Lists every page, newest first. Every method throws `AssistantsError`.
 */
export class ServerAssistantStore implements AssistantStore {
  readonly location = 'server' as const;

  constructor(
    private readonly client: OpenAI,
    private readonly errorContext: ErrorContext = {},
  ) {}

  list(signal?: AbortSignal): Promise<AssistantEntry[]> {
    return this.call(async () => {
      const wires = await listAll(this.client.beta.assistants.list({ limit: PAGE_SIZE, order: 'desc' }, { signal }), 'assistants', this.errorContext);
      return wires.map((wire) => entry(fromWireAssistant(wire)));
    });
  }

  create(draft: AssistantDraft, signal?: AbortSignal): Promise<AssistantEntry> {
    return this.call(async () => entry(fromWireAssistant(await this.client.beta.assistants.create(toWireAssistantBody(draft), { signal }))));
  }

  /**
   * With a `base`, the server's object is read first and the draft merged onto it field-wise (the
   * API has no conditional update, so a change landing between the read and the write still
   * wins; the window is one round trip instead of an editing session).
   */
  update(id: string, draft: AssistantDraft, options: UpdateOptions = {}): Promise<AssistantEntry> {
    const { base, signal } = options;
    return this.call(async () => {
      let body = draft;
      if (base) {
        const { id: _id, createdAt: _createdAt, ...current } = fromWireAssistant(await this.client.beta.assistants.retrieve(id, { signal }));
        body = mergeDrafts(base, draft, current, { assistantId: id });
      }
      return entry(fromWireAssistant(await this.client.beta.assistants.update(id, toWireAssistantBody(body), { signal })));
    });
  }

  delete(id: string, signal?: AbortSignal): Promise<void> {
    return this.call(async () => {
      await this.client.beta.assistants.delete(id, { signal });
    });
  }

  private async call<T>(fn: () => Promise<T>): Promise<T> {
    try {
      return await fn();
    } catch (error) {
      throw toAssistantsError(error, this.errorContext);
    }
  }
}

function entry(assistant: Assistant): AssistantEntry {
  return { id: assistant.id, location: 'server', name: assistant.name || assistant.id, assistant };
}
