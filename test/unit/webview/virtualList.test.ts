import * as assert from 'node:assert/strict';
import { GlobalRegistrator } from '@happy-dom/global-registrator';
import type { EntryRenderer, ListEntry } from '../../../webview/ui/virtualList';
import type * as VirtualListModule from '../../../webview/ui/virtualList';

/** An entry that is only a label: the list knows nothing of what its entries are. */
interface Label extends ListEntry {
  data: { text: string };
}

const label = (key: string, text: string): Label => ({ key, data: { text } });

describe('the virtual list, without any entry kind of the chat (DOM, happy-dom)', () => {
  let VirtualList: typeof VirtualListModule.VirtualList;

  before(() => {
    GlobalRegistrator.register({ url: 'https://webview.test/' });
    // eslint-disable-next-line @typescript-eslint/no-require-imports -- loaded after the DOM exists
    ({ VirtualList } = require('../../../webview/ui/virtualList') as typeof VirtualListModule);
  });

  after(async () => {
    await GlobalRegistrator.unregister();
  });

  /** A list in a scroller, whose renderer keeps a node per entry while its data object is unchanged. */
  function list() {
    const scroller = document.createElement('main');
    document.body.replaceChildren(scroller);
    const drawn = new Map<string, { data: object; node: HTMLElement }>();
    const rendered: string[] = [];
    const released: string[] = [];
    const renderer: EntryRenderer<Label> = {
      render: (entry) => {
        const kept = drawn.get(entry.key);
        if (kept && kept.data === entry.data) return kept.node;
        rendered.push(entry.key);
        const node = document.createElement('div');
        node.textContent = entry.data.text;
        // An entry without text is drawn as nothing, as the chat draws a run with nothing to show.
        if (!entry.data.text) node.className = 'drawn-as-nothing';
        drawn.set(entry.key, { data: entry.data, node });
        return node;
      },
      estimate: () => 20,
      released: (key) => {
        released.push(key);
        drawn.delete(key);
      },
    };
    const virtual = new VirtualList<Label>({ scroller, classes: { list: 'the-list', spacer: 'the-spacer' }, entryMarginPx: 10, onScroll: () => undefined, renderer });
    const shown = () => Array.from(virtual.element.children).filter((el) => !el.classList.contains('the-spacer')).map((el) => el.textContent);
    return { scroller, virtual, shown, rendered, released };
  }

  it('draws nothing before its entries are set, then draws them in order between its two spacers', () => {
    const { scroller, virtual, shown } = list();
    assert.equal(scroller.lastElementChild, virtual.element, 'the list sits in the scroller');
    assert.deepEqual(shown(), []);
    virtual.setEntries([label('a', 'first'), label('b', 'second'), label('c', 'third')]);
    assert.deepEqual(shown(), ['first', 'second', 'third']);
    const children = Array.from(virtual.element.children);
    assert.ok(children[0].classList.contains('the-spacer') && children.at(-1)?.classList.contains('the-spacer'));
    assert.deepEqual(children.slice(1, -1).map((el) => (el as HTMLElement).dataset.entryKey), ['a', 'b', 'c']);
    assert.ok(virtual.has('b') && !virtual.has('z'));
  });

  it('keeps the nodes the renderer keeps, replaces a redrawn one in place, and releases entries that go', () => {
    const { virtual, shown, rendered, released } = list();
    const a = label('a', 'first');
    virtual.setEntries([a, label('b', 'second')]);
    const first = virtual.element.querySelector('[data-entry-key="a"]');
    virtual.setEntries([a, label('b', 'second, changed'), label('c', 'third')]);
    assert.equal(virtual.element.querySelector('[data-entry-key="a"]'), first, 'an unchanged entry keeps its node');
    assert.deepEqual(shown(), ['first', 'second, changed', 'third'], 'no stray copy of the redrawn entry');
    assert.deepEqual(rendered, ['a', 'b', 'b', 'c']);
    virtual.setEntries([label('c', 'third')]);
    assert.deepEqual(shown(), ['third']);
    assert.deepEqual(released.sort(), ['a', 'b']);
    virtual.clear();
    assert.deepEqual(shown(), []);
    assert.deepEqual(released.sort(), ['a', 'b', 'c']);
  });

  it('takes an entry\'s new data with replace and draws it on the next frame', async () => {
    const { virtual, shown } = list();
    virtual.setEntries([label('a', 'first')]);
    assert.equal(virtual.replace(label('a', 'first, grown')), true);
    assert.equal(virtual.replace(label('z', 'none')), false, 'no such entry');
    virtual.schedule();
    assert.deepEqual(shown(), ['first'], 'not before the frame');
    await new Promise<void>((resolve) => requestAnimationFrame(() => resolve()));
    assert.deepEqual(shown(), ['first, grown']);
  });

  it('moves focus between entries with the arrow keys, Home and End', () => {
    const { scroller, virtual } = list();
    virtual.setEntries(['a', 'b', 'c'].map((key) => label(key, key)));
    const press = (key: string) => (document.activeElement ?? scroller).dispatchEvent(new KeyboardEvent('keydown', { key, bubbles: true }));
    scroller.focus();
    const focused = () => (document.activeElement as HTMLElement | null)?.dataset.entryKey;
    press('ArrowDown');
    assert.equal(focused(), 'a');
    press('ArrowDown');
    assert.equal(focused(), 'b');
    press('End');
    assert.equal(focused(), 'c');
    press('ArrowUp');
    assert.equal(focused(), 'b');
    press('Home');
    assert.equal(focused(), 'a');
  });

  it('moves past entries drawn as nothing with the arrow keys, Home and End, and stays put when nothing is left', () => {
    const { scroller, virtual } = list();
    const style = document.createElement('style');
    style.textContent = '.drawn-as-nothing { display: none; }';
    document.head.append(style);
    // Hidden entries first, between two shown ones, two in a row, and last.
    virtual.setEntries([label('h0', ''), label('a', 'a'), label('h1', ''), label('b', 'b'), label('h2', ''), label('h3', ''), label('c', 'c'), label('h4', '')]);
    const press = (key: string) => (document.activeElement ?? scroller).dispatchEvent(new KeyboardEvent('keydown', { key, bubbles: true }));
    const focused = () => (document.activeElement as HTMLElement | null)?.dataset.entryKey;
    scroller.focus();
    press('Home');
    assert.equal(focused(), 'a', 'Home goes to the first entry shown');
    press('ArrowDown');
    assert.equal(focused(), 'b', 'past one hidden entry');
    press('ArrowDown');
    assert.equal(focused(), 'c', 'past two hidden entries');
    press('ArrowDown');
    assert.equal(focused(), 'c', 'nothing shown below: focus stays');
    press('ArrowUp');
    assert.equal(focused(), 'b');
    press('End');
    assert.equal(focused(), 'c', 'End goes to the last entry shown');
    press('ArrowUp');
    press('ArrowUp');
    assert.equal(focused(), 'a');
    press('ArrowUp');
    assert.equal(focused(), 'a', 'nothing shown above: focus stays');
    style.remove();
  });
});
