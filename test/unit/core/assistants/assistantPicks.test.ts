import * as assert from 'node:assert/strict';
import { byValidity, distinctNames, freeName, sameName, viewOrder, whereLabel, withoutPublishedCopies } from '../../../../src/core/assistants/assistantPicks';
import type { AssistantEntry } from '../../../../src/core/assistants/assistantStore';
import type { Assistant } from '../../../../src/common/model';

const assistant = (id: string, name: string, metadata?: Record<string, string>): Assistant => ({ id, name, model: 'gpt-4.1', tools: [], createdAt: 0, ...(metadata ? { metadata } : {}) });
const file = (id: string, name: string, location: 'workspace' | 'user', path: string): AssistantEntry => ({ id, location, name, file: path, assistant: assistant(id, name) });
const server = (id: string, name: string, link?: string): AssistantEntry => ({ id, location: 'server', name, assistant: assistant(id, name, link ? { assistants_vscode_file: link } : undefined) });

describe('telling assistants apart in pick lists', () => {
  const helper = file('workspace:helper', 'Helper', 'workspace', '/repo/.assistants/helper.assistant.json');
  const personal = file('user:helper', 'Helper', 'user', '/home/me/assistants/helper.assistant.json');
  const published = server('asst_1', 'Helper', 'workspace:helper');
  const teammates = server('asst_2', 'Helper', 'workspace:helper');
  const other = server('asst_3', 'Helper');

  it('says where each of three same-named assistants lives, and its file', () => {
    const labels = [helper, personal, other].map((entry) => whereLabel(entry));
    assert.deepEqual(labels, ['workspace · helper.assistant.json', 'personal · helper.assistant.json', 'server · asst_3']);
    assert.equal(new Set(labels).size, 3, 'no two read the same');
    assert.deepEqual([helper, personal, other].map((entry) => whereLabel(entry, { placeFirst: true })), ['helper.assistant.json · workspace', 'helper.assistant.json · personal', 'asst_3 · server']);
  });

  it('lists a file\'s own published copy once, as the file; a copy another user published, or one whose file is gone, stays', () => {
    // This user published `workspace:helper` as asst_1; asst_2 names the same file in its metadata, but was not published from here.
    const linkedFile = (a: Assistant) => (a.id === 'asst_1' ? 'workspace:helper' : undefined);
    assert.deepEqual(withoutPublishedCopies([helper, published, teammates, other, personal], linkedFile).map((e) => e.id), ['workspace:helper', 'asst_2', 'asst_3', 'user:helper']);
    assert.deepEqual(withoutPublishedCopies([published, other], linkedFile).map((e) => e.id), ['asst_1', 'asst_3'], 'a copy whose file is not listed stays');
  });

  it('names each assistant with where it lives where only a name fits, when another a list shows has its name', () => {
    const linkedFile = (a: Assistant) => (a.id === 'asst_1' ? 'workspace:helper' : undefined);
    const reviewer = file('workspace:reviewer', 'Reviewer', 'workspace', '/repo/.assistants/reviewer.assistant.json');
    // Three of one name (one in other case and spaces), a fourth its file's published copy, and one alone.
    const shouting = file('user:helper-2', ' HELPER ', 'user', '/home/me/assistants/helper-2.assistant.json');
    const names = distinctNames([helper, personal, published, shouting, reviewer], linkedFile);
    assert.deepEqual([...names.entries()], [
      ['workspace:helper', 'Helper (helper.assistant.json · workspace)'],
      ['user:helper', 'Helper (helper.assistant.json · personal)'],
      ['asst_1', 'Helper (asst_1 · server)'],
      ['user:helper-2', 'HELPER (helper-2.assistant.json · personal)'],
      ['workspace:reviewer', 'Reviewer'],
    ]);
    assert.equal(new Set(names.values()).size, 5, 'no two read the same');
    // A file beside its own published copy is one assistant: its name alone.
    assert.deepEqual([...distinctNames([helper, published, reviewer], linkedFile).values()], ['Helper', 'Helper (asst_1 · server)', 'Reviewer']);
    // A copy another user published (not linked here) is another assistant of the name.
    assert.deepEqual([...distinctNames([helper, teammates], linkedFile).values()], ['Helper (helper.assistant.json · workspace)', 'Helper (asst_2 · server)']);
    assert.deepEqual([...distinctNames([], linkedFile).values()], []);
  });

  it('lists a view\'s rows in an order use does not change: name, then where, then file', () => {
    const zeta = file('workspace:zeta', 'zeta', 'workspace', '/repo/.assistants/zeta.assistant.json');
    const ten = file('workspace:ten', 'Agent 10', 'workspace', '/repo/.assistants/agent-10.assistant.json');
    const two = file('workspace:two', 'Agent 2', 'workspace', '/repo/.assistants/agent-2.assistant.json');
    const accented = file('user:eclair', 'Éclair', 'user', '/home/me/assistants/eclair.assistant.json');
    const copy = file('workspace:helper-copy', 'Helper (copy)', 'workspace', '/repo/.assistants/helper-copy.assistant.json');
    const second = file('workspace:helper-2', 'Helper', 'workspace', '/repo/.assistants/helper-2.assistant.json');
    // Most recently used first, as `AssistantService.list` gives them: the clone just made active leads.
    const used = [copy, other, zeta, personal, helper, ten, accented, second, two];
    const expected = ['workspace:two', 'workspace:ten', 'user:eclair', 'workspace:helper-2', 'workspace:helper', 'user:helper', 'asst_3', 'workspace:helper-copy', 'workspace:zeta'];
    assert.deepEqual(viewOrder(used).map((e) => e.id), expected);
    assert.deepEqual(viewOrder([...used].reverse()).map((e) => e.id), expected, 'the same order whichever was used last');
    assert.equal(used[0], copy, 'the list given is left as it was');
  });

  it('keeps the assistants that cannot run apart from those that can, in order', () => {
    const broken: AssistantEntry = { id: 'workspace:broken', location: 'workspace', name: 'broken.assistant.json', file: '/repo/.assistants/broken.assistant.json', errors: [{ path: '/temperature', message: 'must be <= 2' }] };
    const refused: AssistantEntry = { id: 'workspace:link', location: 'workspace', name: 'link.assistant.json', refused: true, errors: [{ path: '', message: 'leads out of the workspace' }] };
    const { valid, invalid } = byValidity([broken, helper, refused, personal]);
    assert.deepEqual(valid.map((e) => e.id), ['workspace:helper', 'user:helper']);
    assert.deepEqual(invalid.map((e) => e.id), ['workspace:broken', 'workspace:link']);
  });

  it('finds a clash by name whatever its case and spaces, and the first free name for keeping both', () => {
    assert.equal(sameName([helper, other], '  helper '), helper);
    assert.equal(sameName([helper], 'Helpers'), undefined);
    assert.equal(freeName([helper], 'Reviewer'), 'Reviewer', 'no clash: the name as is');
    assert.equal(freeName([helper], 'Helper'), 'Helper (2)');
    assert.equal(freeName([helper, file('workspace:helper-2', 'helper (2)', 'workspace', '/r/h2.assistant.json')], 'Helper'), 'Helper (3)');
  });
});
