import * as assert from 'node:assert/strict';
import { GlobalRegistrator } from '@happy-dom/global-registrator';
import type { RunStep } from '../../../src/common/model';
import type * as AnsiModule from '../../../webview/render/ansi';
import type * as StepsModule from '../../../webview/render/steps';
import type * as FigureModule from '../../../webview/render/figure';
import type * as FilesModule from '../../../webview/files';
import { chatRequester } from './chatRequests';

/** Logs and tool output with ANSI sequences: colours as the theme's terminal colours, never `ESC[0;31m`. */
describe('ANSI escape sequences in logs and tool output (DOM, happy-dom)', () => {
  let ansi: typeof AnsiModule;
  let steps: typeof StepsModule;
  let figures: FigureModule.Figures;

  before(() => {
    GlobalRegistrator.register({ url: 'https://webview.test/' });
    const prototype = HTMLElement.prototype as { attachInternals?: () => unknown };
    prototype.attachInternals ??= () => ({ form: null, setFormValue: () => undefined });
    /* eslint-disable @typescript-eslint/no-require-imports -- loaded once the DOM exists */
    ansi = require('../../../webview/render/ansi') as typeof AnsiModule;
    steps = require('../../../webview/render/steps') as typeof StepsModule;
    const { Figures } = require('../../../webview/render/figure') as typeof FigureModule;
    const { FileRequests } = require('../../../webview/files') as typeof FilesModule;
    /* eslint-enable @typescript-eslint/no-require-imports */
    figures = new Figures(new FileRequests(chatRequester()), () => undefined, () => 't1');
  });

  after(async () => {
    await GlobalRegistrator.unregister();
  });

  const pre = (text: string): HTMLElement => {
    const el = document.createElement('pre');
    el.append(...ansi.ansiNodes(text));
    return el;
  };
  // eslint-disable-next-line no-control-regex -- what must never show
  const ESCAPE = /[\u001b\u009b]|\[\d+(;\d+)*m/;

  it('colours a traceback in named colours, bright colours and styles, as classes the theme maps', () => {
    const el = pre('\u001b[0;31mTraceback (most recent call last):\u001b[0m\n  File "x.py"\n\u001b[1;91mValueError\u001b[0m: bad \u001b[4;32munderlined\u001b[0m');
    assert.equal(el.textContent, 'Traceback (most recent call last):\n  File "x.py"\nValueError: bad underlined');
    const spans = Array.from(el.querySelectorAll('span'), (s) => [s.textContent, s.className]);
    assert.deepEqual(spans, [
      ['Traceback (most recent call last):', 'ansi-fg-red'],
      ['ValueError', 'ansi-fg-bright-red ansi-bold'],
      ['underlined', 'ansi-fg-green ansi-underline'],
    ]);
  });

  it('colours 256-colour and true-colour codes through the style object, and backgrounds', () => {
    const el = pre('\u001b[38;5;208morange\u001b[0m \u001b[48;2;10;20;30mdark\u001b[0m \u001b[38;5;244mgrey\u001b[0m \u001b[44mon blue\u001b[0m');
    assert.equal(el.textContent, 'orange dark grey on blue');
    const [orange, dark, grey, blue] = Array.from(el.querySelectorAll('span'));
    assert.equal(orange.style.color, 'rgb(255, 135, 0)');
    assert.equal(dark.style.backgroundColor, 'rgb(10, 20, 30)');
    assert.equal(grey.style.color, 'rgb(128, 128, 128)');
    assert.equal(blue.className, 'ansi-bg-blue');
  });

  it('drops every other sequence: cursor moves, erasures, hyperlinks, window titles, the 8-bit form, a lone ESC', () => {
    const samples = [
      '\u001b[2K\u001b[1A\u001b[?25lprogress 100%\u001b[?25h',
      '\u001b]8;;https://example.com\u0007a link\u001b]8;;\u0007 and \u001b]0;title\u001b\\done',
      '\u009b31mC1 red\u009b0m \u001b(Bcharset \u001b=keypad \u001b',
    ];
    const shown = samples.map((text) => pre(text).textContent ?? '');
    assert.deepEqual(shown, ['progress 100%', 'a link and done', 'C1 red charset keypad ']);
    for (const text of shown) assert.doesNotMatch(text, ESCAPE);
    assert.equal(pre('\u009b31mC1 red').querySelector('span')?.className, 'ansi-fg-red');
  });

  it('shows a code-interpreter log and a function output in colour in a run step, and keeps plain output highlighted', () => {
    const step: RunStep = {
      id: 's',
      runId: 'r',
      status: 'completed',
      createdAt: 1,
      details: {
        type: 'tool_calls',
        toolCalls: [
          { type: 'code_interpreter', id: 'c', input: 'run()', outputs: [{ type: 'logs', logs: '\u001b[33mwarning:\u001b[0m slow' }] },
          { type: 'function', id: 'f', name: 'run_tests', arguments: '{}', output: '\u001b[32m12 passed\u001b[0m, \u001b[31m1 failed\u001b[0m' },
          { type: 'function', id: 'g', name: 'plain', arguments: '{}', output: '{"ok": true}' },
        ],
      },
    };
    const block = steps.renderRunBlock({ run: { id: 'r', threadId: 't1', assistantId: 'a', status: 'completed', createdAt: 1 }, steps: [step] }, undefined, { runs: new Map(), items: new Map() }, figures);
    assert.doesNotMatch(block.textContent ?? '', ESCAPE);
    assert.equal(block.querySelector('.step-logs .ansi-fg-yellow')?.textContent, 'warning:');
    assert.deepEqual(Array.from(block.querySelectorAll('.step-ansi span'), (s) => s.className), ['ansi-fg-green', 'ansi-fg-red']);
    assert.match(block.textContent ?? '', /12 passed, 1 failed/);
    assert.match(block.textContent ?? '', /"ok": true/);
  });

  it('shows a log too long to colour whole with its sequences removed past the coloured part', () => {
    const line = '\u001b[31mred\u001b[0m plain\n';
    const text = line.repeat(Math.ceil(150_000 / line.length));
    const el = pre(text);
    assert.doesNotMatch(el.textContent ?? '', ESCAPE);
    assert.equal(el.textContent, 'red plain\n'.repeat(Math.ceil(150_000 / line.length)));
    // One line with no end: the cut falls before an escape, not inside it.
    const word = '\u001b[38;5;208mred\u001b[0m ';
    const count = Math.ceil(150_000 / word.length);
    assert.equal(pre(word.repeat(count)).textContent, 'red '.repeat(count));
  });
});
