import * as assert from 'node:assert/strict';
import { GlobalRegistrator } from '@happy-dom/global-registrator';
import type { RunStep } from '../../../src/common/model';
import type * as AnsiModule from '../../../webview/render/ansi';
import type * as StepsModule from '../../../webview/render/steps';
import type * as FigureModule from '../../../webview/render/figure';
import type * as FilesModule from '../../../webview/files';
import { chatRequester } from './chatRequests';
import { ANSI_COLOURED, ANSI_DROPPED, completedToolStep } from './renderingFaults';

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
    const el = pre(ANSI_COLOURED[0][0]);
    assert.equal(el.textContent, ANSI_COLOURED[0][1]);
    const spans = Array.from(el.querySelectorAll('span'), (s) => [s.textContent, s.className]);
    assert.deepEqual(spans, [
      ['Traceback (most recent call last):', 'ansi-fg-red'],
      ['ValueError', 'ansi-fg-bright-red ansi-bold'],
      ['underlined', 'ansi-fg-green ansi-underline'],
    ]);
  });

  it('colours 256-colour and true-colour codes through the style object, and backgrounds', () => {
    const el = pre(ANSI_COLOURED[1][0]);
    assert.equal(el.textContent, ANSI_COLOURED[1][1]);
    const [orange, dark, grey, blue] = Array.from(el.querySelectorAll('span'));
    assert.equal(orange.style.color, 'rgb(255, 135, 0)');
    assert.equal(dark.style.backgroundColor, 'rgb(10, 20, 30)');
    assert.equal(grey.style.color, 'rgb(128, 128, 128)');
    assert.equal(blue.className, 'ansi-bg-blue');
  });

  it('drops every other sequence: cursor moves, erasures, hyperlinks, window titles, the 8-bit form, a lone ESC', () => {
    const shown = ANSI_DROPPED.map(([text]) => pre(text).textContent ?? '');
    assert.deepEqual(shown, ANSI_DROPPED.map(([, text]) => text));
    for (const text of shown) assert.doesNotMatch(text, ESCAPE);
    assert.equal(pre('\u009b31mC1 red').querySelector('span')?.className, 'ansi-fg-red');
  });

  it('shows a code-interpreter log and a function output in colour in a run step, and keeps plain output highlighted', () => {
    const step = completedToolStep([
      { type: 'code_interpreter', id: 'c', input: 'run()', outputs: [{ type: 'logs', logs: '\u001b[33mwarning:\u001b[0m slow' }] },
      { type: 'function', id: 'f', name: 'run_tests', arguments: '{}', output: '\u001b[32m12 passed\u001b[0m, \u001b[31m1 failed\u001b[0m' },
      { type: 'function', id: 'g', name: 'plain', arguments: '{}', output: '{"ok": true}' },
    ]);
    const block = steps.renderRunBlock({ run: { id: 'r', threadId: 't1', assistantId: 'a', status: 'completed', createdAt: 1 }, steps: [step] }, undefined, { runs: new Map(), items: new Map() }, figures);
    assert.doesNotMatch(block.textContent ?? '', ESCAPE);
    assert.equal(block.querySelector('.step-logs .ansi-fg-yellow')?.textContent, 'warning:');
    assert.deepEqual(Array.from(block.querySelectorAll('.step-ansi span'), (s) => s.className), ['ansi-fg-green', 'ansi-fg-red']);
    assert.match(block.textContent ?? '', /12 passed, 1 failed/);
    assert.match(block.textContent ?? '', /"ok": true/);
  });

  it('reads colour codes written with colon sub-parameters, as terminals do', () => {
    const el = pre(ANSI_COLOURED[2][0]);
    assert.equal(el.textContent, ANSI_COLOURED[2][1]);
    const [red, dark, blue, curly, orange] = Array.from(el.querySelectorAll('span'));
    assert.equal(red.style.color, 'rgb(255, 0, 0)');
    assert.equal(dark.style.color, 'rgb(10, 20, 30)');
    assert.equal(blue.style.backgroundColor, 'rgb(0, 0, 255)');
    assert.equal(curly.className, 'ansi-underline');
    assert.equal(orange.className, 'ansi-bold');
    assert.equal(orange.style.color, 'rgb(255, 135, 0)');
  });

  it('shows a progress bar where it ended: a carriage return starts its line again, a backspace steps back', () => {
    assert.equal(pre('Downloading  10%\rDownloading  55%\rDownloading 100%\nDone').textContent, 'Downloading 100%\nDone');
    // tqdm's way: each state ends in a carriage return, the last in a line break.
    assert.equal(pre('\r  0%|          | 0/3\r 67%|######6   | 2/3\r100%|##########| 3/3\n').textContent, '100%|##########| 3/3\n');
    // A shorter state leaves the end of a longer one, as on a terminal; a Windows line break is a line break.
    assert.equal(pre('Working...\rDone\r\nnext\r\n').textContent, 'Doneing...\nnext\n');
    assert.equal(pre('spin |\b/\b-\b\\\b ok').textContent, 'spin  ok');
    // In colour: the last state keeps its colour.
    const coloured = pre('\u001b[32m[===>   ] 45%\u001b[0m\r\u001b[32m[=======] 100%\u001b[0m\n');
    assert.equal(coloured.textContent, '[=======] 100%\n');
    assert.deepEqual(Array.from(coloured.querySelectorAll('span'), (s) => [s.textContent, s.className]), [['[=======] 100%', 'ansi-fg-green']]);
  });

  it('redraws lines a program moved back to (cursor up, erase line, erase below, go to column)', () => {
    // pip and docker redraw several progress lines: up, erase, write again.
    assert.equal(pre('layer a: 10%\nlayer b: 20%\n\u001b[2A\u001b[2Klayer a: done\n\u001b[2Klayer b: done\n').textContent, 'layer a: done\nlayer b: done\n');
    assert.equal(pre('step 1\nstep 2\nspinner\n\u001b[1A\u001b[J').textContent, 'step 1\nstep 2\n');
    assert.equal(pre('Saving... 40%\u001b[4D\u001b[Kdone').textContent, 'Saving...done');
    assert.equal(pre('abcdef\u001b[3Gx\u001b[1K').textContent, '    ef');
    // A move far away writes no million spaces, and a move above the first line stays on it.
    assert.equal(pre('a\u001b[99999999Cb\u001b[99999999A\u001b[99999999Bc').textContent?.length, 1002);
    assert.equal(pre('top\u001b[50Fx').textContent, 'xop');
    // Clearing the screen and moving to a place on it would lose the log above: they are dropped.
    assert.equal(pre('kept\n\u001b[2J\u001b[3J\u001b[Hnext').textContent, 'kept\nnext');
  });

  it('never lets a string sequence or an 8-bit control take the text after it', () => {
    // An OSC hyperlink or title that never ends stops at its line's end; the next line stays.
    assert.equal(pre('\u001b]8;;https://example.com/never-closed\nnext line stays').textContent, '\nnext line stays');
    assert.equal(pre('\u001b]0;title without end\nline 2\nline 3').textContent, '\nline 2\nline 3');
    // 8-bit OSC with its 8-bit terminator, DCS, APC and PM strings, BEL, form feed and NEL.
    const shown = pre('a\u009d0;title\u009cb \u001bP1$r0m\u001b\\c \u001b_app\u001b\\d \u001b^pm\u001b\\e\u0007\u000c\u0085f \u009b32mg').textContent ?? '';
    assert.equal(shown, 'ab c d ef g');
    assert.doesNotMatch(shown, ESCAPE);
  });

  it('shows MCP outputs and errors, JSON fields and uncoloured progress in a step as a terminal would, never as escape codes', () => {
    const step = completedToolStep([
      { type: 'mcp', id: 'm1', serverLabel: 'ci', name: 'run', arguments: '{}', output: '\u001b[1;32m✓ build\u001b[0m\n\u001b[38;5;196m✗ lint\u001b[0m' },
      { type: 'mcp', id: 'm2', serverLabel: 'ci', name: 'deploy', arguments: '{}', error: '\u001b[31mError:\u001b[0m the server refused' },
      // A command's output returned as a JSON field: JSON writes the sequence as \u001b, which must not show.
      { type: 'mcp', id: 'm3', serverLabel: 'ci', name: 'test', arguments: '{}', output: JSON.stringify([{ type: 'text', text: '\u001b[32m3 passed\u001b[0m\r\u001b[2K\u001b[32m4 passed\u001b[0m' }]) },
      { type: 'function', id: 'f1', name: 'shell', arguments: '{}', output: JSON.stringify({ stdout: '\u001b[33mwarn\u001b[0m done', code: 0 }) },
      // No escape at all, only carriage returns: still a progress bar.
      { type: 'function', id: 'f2', name: 'fetch', arguments: '{}', output: 'get 10%\rget 60%\rget 100%' },
    ]);
    const open = { runs: new Map([['r', true]]), items: new Map(['s/m1', 's/m2', 's/m3', 's/f1', 's/f2'].map((k): [string, boolean] => [k, true])) };
    // A reasoning summary into which the model copied a coloured line.
    const reasoning: RunStep = { id: 's2', runId: 'r', status: 'completed', createdAt: 1, details: { type: 'reasoning', summary: 'The run said \u001b[31mFAILED\u001b[0m, so **retry**.' } };
    open.items.set('s2', true);
    const block = steps.renderRunBlock({ run: { id: 'r', threadId: 't1', assistantId: 'a', status: 'completed', createdAt: 1 }, steps: [step, reasoning] }, undefined, open, figures);
    const text = block.textContent ?? '';
    assert.match(text, /The run said FAILED, so retry\./);
    assert.doesNotMatch(text, ESCAPE);
    assert.doesNotMatch(text, /\\u001b|\\r/);
    assert.deepEqual(Array.from(block.querySelectorAll('.step-ansi'), (el) => el.textContent), ['✓ build\n✗ lint', 'get 100%']);
    assert.equal(block.querySelector('.step-ansi .ansi-fg-green.ansi-bold')?.textContent, '✓ build');
    assert.equal(block.querySelector('.step-error')?.textContent, 'Error: the server refused');
    assert.equal(block.querySelector('.step-error .ansi-fg-red')?.textContent, 'Error:');
    assert.match(text, /"text": "4 passed"/);
    assert.match(text, /"stdout": "warn done"/);
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
