import { randomUUID } from 'node:crypto';
import type { Assistant, AssistantDraft } from './model';
import { AssistantsError } from './errors';

/**
 * Where the Responses backend keeps assistant definitions (the server has no assistant objects
 * any more). The host implements it over VS Code storage; `InMemoryAssistantStore` serves tests.
 */
export interface AssistantStore {
  list(): Promise<Assistant[]>;
  get(id: string): Promise<Assistant | undefined>;
  create(draft: AssistantDraft): Promise<Assistant>;
  /** Throws AssistantsError `not_found` for an unknown id. */
  update(id: string, draft: AssistantDraft): Promise<Assistant>;
  delete(id: string): Promise<void>;
}

export class InMemoryAssistantStore implements AssistantStore {
  private readonly assistants = new Map<string, Assistant>();

  constructor(private readonly now: () => number = Date.now) {}

  async list(): Promise<Assistant[]> {
    return [...this.assistants.values()].map(clone);
  }

  async get(id: string): Promise<Assistant | undefined> {
    const found = this.assistants.get(id);
    return found ? clone(found) : undefined;
  }

  async create(draft: AssistantDraft): Promise<Assistant> {
    const assistant: Assistant = { ...clone(draft), id: `asst_${randomUUID().replace(/-/g, '')}`, createdAt: Math.floor(this.now() / 1000) };
    this.assistants.set(assistant.id, assistant);
    return clone(assistant);
  }

  async update(id: string, draft: AssistantDraft): Promise<Assistant> {
    const existing = this.assistants.get(id);
    if (!existing) {
      throw new AssistantsError('not_found', `No assistant with id ${id}.`);
    }
    const updated: Assistant = { ...clone(draft), id, createdAt: existing.createdAt };
    this.assistants.set(id, updated);
    return clone(updated);
  }

  async delete(id: string): Promise<void> {
    this.assistants.delete(id);
  }
}

function clone<T>(value: T): T {
  return structuredClone(value);
}
