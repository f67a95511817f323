import { randomUUID } from 'node:crypto';
import type * as vscode from 'vscode';
import type { AssistantStore } from '../core/assistantStore';
import type { Assistant, AssistantDraft } from '../core/model';
import { AssistantsError } from '../core/errors';

const KEY = 'assistants.definitions';

/**
 * Assistant definitions for the Responses backend, user-wide (the server keeps none). Stored in the
 * extension's global state, which Settings Sync can carry between machines.
 */
export class GlobalStateAssistantStore implements AssistantStore {
  constructor(private readonly state: vscode.Memento) {}

  async list(): Promise<Assistant[]> {
    return this.state.get<Assistant[]>(KEY, []);
  }

  async get(id: string): Promise<Assistant | undefined> {
    return (await this.list()).find((a) => a.id === id);
  }

  async create(draft: AssistantDraft): Promise<Assistant> {
    const assistant: Assistant = { ...draft, id: `asst_${randomUUID().replace(/-/g, '')}`, createdAt: Math.floor(Date.now() / 1000) };
    await this.state.update(KEY, [...(await this.list()), assistant]);
    return assistant;
  }

  async update(id: string, draft: AssistantDraft): Promise<Assistant> {
    const all = await this.list();
    const index = all.findIndex((a) => a.id === id);
    if (index < 0) throw new AssistantsError('not_found', 'That assistant no longer exists.');
    const updated: Assistant = { ...draft, id, createdAt: all[index].createdAt };
    all[index] = updated;
    await this.state.update(KEY, all);
    return updated;
  }

  async delete(id: string): Promise<void> {
    await this.state.update(KEY, (await this.list()).filter((a) => a.id !== id));
  }
}
