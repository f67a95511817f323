import * as assert from 'node:assert/strict';
import type { AssistantsError } from '../../src/core/errors';
import type { Message, Thread } from '../../src/common/model';
import type { RecordedRequest } from '../fakes/fakeServer';
import type { Harness } from '../unit/backends/responses/harness';
import { startHarness, textOf } from '../unit/backends/responses/harness';
import { validateRequest, validateSchema } from './openapi';
import { contractErrors } from './recorded';

/** The one item a message with files becomes, from a recorded request. */
function messageWithFiles(request: RecordedRequest): { item: Record<string, unknown>; at: string } {
  const body = request.body as { items?: unknown[]; input?: unknown[] };
  const list = body.items ?? body.input ?? [];
  const index = list.findIndex((i) => Array.isArray((i as { content?: unknown }).content));
  assert.ok(index >= 0, `${request.method} ${request.path} carries a message with parts`);
  return { item: list[index] as Record<string, unknown>, at: `/${body.items ? 'items' : 'input'}/${index}` };
}

/**
 * A message with parts fits both `EasyInputMessage` and `InputMessage`, so the spec's `oneOf` of
 * input items (which has no discriminator able to tell them apart) fails on it whatever it holds.
 * It is checked against each of the two shapes instead, and the rest of the request as usual.
 */
function itemErrors(request: RecordedRequest): string[] {
  const { item, at } = messageWithFiles(request);
  const errors = [...validateSchema('EasyInputMessage', item), ...validateSchema('InputMessage', item)];
  for (const part of item.content as unknown[]) {
    if ((part as { type?: string }).type === 'input_file') errors.push(...validateSchema('InputFileContent', part));
  }
  const ambiguity = new RegExp(`request${at.replace(/\//g, '\\/')} must match exactly one schema in oneOf \\{"passingSchemas":\\[0,1\\]\\}`);
  const rest = validateRequest(request.method, request.path, request.body).filter((e) => !ambiguity.test(e));
  // With input given as a list, the same item also fails the `string` alternative of `input` and the oneOf around both.
  const consequences = rest.filter((e) => !/request\/input (must be string|must match exactly one schema in oneOf \{"passingSchemas":null\})/.test(e));
  return [...errors, ...consequences];
}

describe('Responses: a PDF attached to a message reaches the model as an input_file part', function () {
  this.timeout(60_000);
  let h: Harness | undefined;
  afterEach(async () => {
    await h?.close();
    h = undefined;
  });

  for (const conversations of [true, false]) {
    it(`${conversations ? 'with a conversation' : 'with local history (no Conversations)'}: the part is in the request, no vector store is made for it, and the request fits the spec`, async () => {
      h = await startHarness({ fake: { conversations } });
      // Uploaded as the composer uploads a PDF the model reads whole: for the model, purpose user_data.
      const pdf = await h.backend.uploadFile('spec.pdf', new TextEncoder().encode('%PDF-1.4 a small document'), 'user_data');
      const notes = await h.backend.uploadFile('notes.md', new TextEncoder().encode('# Notes'), 'assistants');
      const { remoteId } = await h.backend.createThread();
      const thread: Thread = { id: 'thread-local-1', title: 'Test', createdAt: 1, updatedAt: 1, backend: 'responses', ...(remoteId ? { remoteId } : {}) };
      const attachments = [
        { fileId: pdf.id, filename: 'spec.pdf', tools: ['file_search' as const] },
        { fileId: notes.id, filename: 'notes.md', tools: ['file_search' as const] },
      ];
      const message: Message = await h.backend.addMessage(thread, { content: [{ type: 'text', text: 'What does the document say?', annotations: [] }], attachments });
      const done = await h.driver.run({ kind: 'start', thread, assistant: h.assistant, history: [message] }, h.onEvent);
      assert.equal(done.run.status, 'completed');
      assert.equal(textOf(done.messages.at(-1)), 'I read the whole of spec.pdf (25 bytes).');

      const carrier = conversations ? h.requests('POST', /^\/conversations\/[^/]+\/items$/)[0] : h.requests('POST', '/responses')[0];
      assert.deepEqual(messageWithFiles(carrier).item.content, [
        { type: 'input_text', text: 'What does the document say?' },
        { type: 'input_file', file_id: pdf.id },
      ]);
      // The markdown file still goes through file search; the PDF does not.
      const vectorStore = h.requests('POST', '/vector_stores')[0];
      assert.deepEqual((vectorStore.body as { file_ids: string[] }).file_ids, [notes.id]);
      assert.deepEqual(itemErrors(carrier), []);
      assert.deepEqual(contractErrors(h.fake.requests.filter((r) => r !== carrier)), []);
    });
  }

  it('an input_file naming a file the server does not have is refused by the fake, as by the service', async () => {
    h = await startHarness();
    const { remoteId } = await h.backend.createThread();
    const thread: Thread = { id: 'thread-local-2', title: 'Test', createdAt: 1, updatedAt: 1, backend: 'responses', ...(remoteId ? { remoteId } : {}) };
    const message = await h.backend.addMessage(thread, { content: [{ type: 'text', text: 'Read it', annotations: [] }], attachments: [{ fileId: 'file-missing', filename: 'gone.pdf', tools: ['file_search'] }] });
    // The refusal names the file, and reaches the chat as a file gone from the server (whose fix is Re-upload).
    await assert.rejects(h.driver.run({ kind: 'start', thread, assistant: h.assistant, history: [message] }, h.onEvent), (error: AssistantsError) => {
      assert.deepEqual([error.kind, error.options.status, error.options.missing], ['not_found', 400, { object: 'file', id: 'file-missing' }]);
      assert.match(error.message, /The file file-missing is no longer on the server.*Re-upload it/);
      return true;
    });
  });
});
