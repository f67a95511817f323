import { GlobalRegistrator } from '@happy-dom/global-registrator';
import type { ChatState, HostToWebview, WebviewToHost } from '../../../src/common/protocol';
import type * as AppModule from '../../../webview/app';
import type { HostChannel, PersistedState } from '../../../webview/vscodeApi';

/** A chat page opened by `chatPage`: its root, what it posted and saved, and a way to send it messages. */
export interface OpenedChatPage {
  root: HTMLElement;
  posted: WebviewToHost[];
  states: PersistedState[];
  receive(message: HostToWebview): void;
}

/**
 * The chat page in happy-dom, for the `describe` block that calls this: a DOM is registered before
 * its tests (the UI kit defines custom elements when loaded, so the page is loaded after it, with
 * the codicon stylesheet the icons look for) and removed after them. The function returned starts
 * a page on a host channel in memory whose saved state is `saved`, and hands it `state` when given.
 */
export function chatPage(): (state?: ChatState, saved?: Partial<PersistedState>) => OpenedChatPage {
  let ChatApp: typeof AppModule.ChatApp;

  before(() => {
    GlobalRegistrator.register({ url: 'https://webview.test/' });
    const prototype = HTMLElement.prototype as { attachInternals?: () => unknown };
    prototype.attachInternals ??= () => ({ form: null, setFormValue: () => undefined });
    document.head.append(Object.assign(document.createElement('link'), { id: 'vscode-codicon-stylesheet' }));
    // eslint-disable-next-line @typescript-eslint/no-require-imports -- the UI kit defines custom elements when loaded, so it loads after the DOM exists
    ({ ChatApp } = require('../../../webview/app') as typeof AppModule);
  });

  after(async () => {
    await GlobalRegistrator.unregister();
  });

  return (state, saved = {}) => {
    const root = document.createElement('div');
    document.body.replaceChildren(root);
    const posted: WebviewToHost[] = [];
    const states: PersistedState[] = [];
    let listener: ((message: HostToWebview) => void) | undefined;
    const host: HostChannel = {
      post: (message) => posted.push(message),
      onMessage: (l) => (listener = l),
      loadState: () => ({ draft: '', draftSeq: 0, instructions: '', instructionsSeq: 0, scrollFromBottom: 0, scrollKey: '', ...saved }),
      saveState: (saving) => states.push(saving),
    };
    new ChatApp(root, host).start();
    const receive = (message: HostToWebview) => listener?.(message);
    if (state) receive({ type: 'state/full', state });
    return { root, posted, states, receive };
  };
}
