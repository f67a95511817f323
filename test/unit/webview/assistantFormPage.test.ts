import * as assert from 'node:assert/strict';
import { GlobalRegistrator } from '@happy-dom/global-registrator';
import type { AssistantForm, EditorRequests, EditorToHost } from '../../../src/common/assistantEditorProtocol';
import type * as FormModule from '../../../webview/assistantEditor/form';

const FORM: AssistantForm = {
  name: 'Helper',
  description: '',
  model: 'gpt-4.1',
  instructions: 'Be brief.',
  fileSearch: false,
  maxNumResults: '',
  codeInterpreter: false,
  functions: [],
  vectorStoreIds: [],
  codeFileIds: [],
  responseFormat: 'auto',
  schemaName: '',
  schema: '',
  schemaStrict: false,
  reasoningEffort: '',
};

/** The requests of `kind` among what the page posted. */
function requestsOf<K extends keyof EditorRequests>(posted: readonly EditorToHost[], kind: K): Extract<EditorToHost, { type: 'request'; kind: K }>[] {
  return posted.filter((m): m is Extract<EditorToHost, { type: 'request'; kind: K }> => m.type === 'request' && m.kind === kind);
}

const wait = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe('the assistant form page: typing is not lost to a document shown meanwhile (DOM, happy-dom)', () => {
  let module: typeof FormModule;
  before(() => {
    GlobalRegistrator.register({ url: 'https://webview.test/' });
    // eslint-disable-next-line @typescript-eslint/no-require-imports -- loaded after the DOM exists
    module = require('../../../webview/assistantEditor/form') as typeof FormModule;
  });
  after(async () => {
    await GlobalRegistrator.unregister();
  });

  /** A page over FORM at revision 1, with the messages it posts. */
  function page() {
    const root = document.createElement('div');
    document.body.replaceChildren(root);
    const posted: EditorToHost[] = [];
    const view = new module.AssistantFormView(root, (message) => posted.push(message));
    const choices = requestsOf(posted, 'choices/list')[0];
    view.receive({ type: 'reply', id: choices?.id ?? '', ok: true, value: {} });
    view.receive({ type: 'document/show', form: structuredClone(FORM), errors: [], revision: 1 });
    const field = (id: string) => root.querySelector<HTMLInputElement | HTMLTextAreaElement>(`#${id}`) ?? assert.fail(`no #${id}`);
    const type = (id: string, value: string) => {
      field(id).value = value;
      field(id).dispatchEvent(new Event('input', { bubbles: true }));
    };
    const changes = () => requestsOf(posted, 'form/change').map(({ id, payload }) => ({ id, ...payload }));
    return { view, field, type, changes };
  }

  for (const [label, id, typed, key] of [
    ['instructions', 'f-instructions', 'Typed, not sent yet.', 'instructions'],
    ['the name', 'f-name', 'Typed name', 'name'],
  ] as const) {
    it(`keeps ${label} typed before the pause when the document is shown again, and sends them on the form they were typed on`, async () => {
      const { view, field, type, changes } = page();
      type(id, typed);
      // The text editor (or another window's save) changed the description meanwhile.
      view.receive({ type: 'document/show', form: { ...FORM, description: 'From the text' }, errors: [], revision: 2 });
      assert.equal(field(id).value, typed, 'what was typed stays in the field');
      await wait(400);
      const [change] = changes();
      assert.equal(change?.form[key], typed);
      assert.equal(change?.baseRevision, 1, 'the change names the form it was typed on, so the host merges instead of undoing the description');
      // The host merged both and shows the result; the page takes it once nothing waits.
      view.receive({ type: 'reply', id: change.id, ok: true, value: { errors: [], saved: true, revision: 3 } });
      await wait(0); // each message is a task of its own in the page
      view.receive({ type: 'document/show', form: { ...FORM, [key]: typed, description: 'From the text' }, errors: [], revision: 4 });
      assert.equal(field('f-description').value, 'From the text');
      assert.equal(field(id).value, typed);
      type('f-description', 'Typed after the merge');
      await wait(400);
      assert.equal(changes()[1]?.baseRevision, 4);
    });
  }

  it('a change the host answered is the base of the next one while the merged document has not been shown', async () => {
    const { view, type, changes } = page();
    type('f-instructions', 'First.');
    await wait(400);
    view.receive({ type: 'reply', id: changes()[0].id, ok: true, value: { errors: [], saved: true, revision: 7 } });
    type('f-instructions', 'Second.');
    await wait(400);
    assert.equal(changes()[1]?.baseRevision, 7);
  });
});
