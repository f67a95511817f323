import * as assert from 'node:assert/strict';
import { assistantLabel, lastActivityLabel, LIST_LABEL_LENGTH, listThreads, normalizeTitle, shortTitle, titleFromQuestion, titleProblem, TITLE_LENGTH } from '../../../../src/core/threads/threadList';
import type { ThreadSummary } from '../../../../src/core/threads/threadStore';

const summary = (id: string, updatedAt: number, assistantId?: string, createdAt = 0): ThreadSummary => ({
  id,
  title: id,
  createdAt,
  updatedAt,
  backend: 'responses',
  ...(assistantId ? { assistantId } : {}),
});

describe('thread list rules', () => {
  it('cuts a title for a list row at a word, with an ellipsis, and leaves a short one alone', () => {
    assert.equal(shortTitle('Sales chart'), 'Sales chart');
    assert.equal(shortTitle('z'.repeat(LIST_LABEL_LENGTH)), 'z'.repeat(LIST_LABEL_LENGTH));
    assert.equal(shortTitle('Quarterly sales chart for the northern region with forecasts'), 'Quarterly sales chart…');
    const unbroken = shortTitle('a'.repeat(100));
    assert.equal(unbroken, `${'a'.repeat(LIST_LABEL_LENGTH - 1)}…`);
    assert.equal(shortTitle('Why  is the build of src/inventory.ts so slow today?').length <= LIST_LABEL_LENGTH, true);
    assert.equal(shortTitle('Explain src/core/functions/confinement.ts please', 20), 'Explain src/core/fu…', 'mid-word when cutting at the last space would keep less than half');
  });

  it('titles a thread after its first question, on one line and cut with an ellipsis', () => {
    assert.equal(titleFromQuestion('  What does\n\n  src/inventory.ts\tdo?  '), 'What does src/inventory.ts do?');
    const long = titleFromQuestion('x'.repeat(200));
    assert.equal(long.length, TITLE_LENGTH);
    assert.ok(long.endsWith('…'));
    assert.equal(titleFromQuestion('y'.repeat(TITLE_LENGTH)), 'y'.repeat(TITLE_LENGTH));
  });

  it('refuses an empty or overlong title with a sentence, and keeps a title on one line', () => {
    assert.match(titleProblem('   ') ?? '', /Give the thread a title/);
    assert.match(titleProblem('z'.repeat(201)) ?? '', /At most 200 characters/);
    assert.equal(titleProblem('Release notes'), undefined);
    assert.equal(normalizeTitle('  Release\nnotes '), 'Release notes');
  });

  it('lists the newest activity first, ties by creation, and filters by assistant', () => {
    const threads = [summary('old', 10, 'workspace:a'), summary('new', 30, 'workspace:b'), summary('tie-older', 20, 'workspace:a', 1), summary('tie-newer', 20, undefined, 2)];
    assert.deepEqual(listThreads(threads).map((t) => t.id), ['new', 'tie-newer', 'tie-older', 'old']);
    assert.deepEqual(listThreads(threads, 'workspace:a').map((t) => t.id), ['tie-older', 'old']);
    assert.deepEqual(listThreads(threads, 'workspace:gone'), []);
    assert.deepEqual(threads.map((t) => t.id), ['old', 'new', 'tie-older', 'tie-newer'], 'the input is not reordered');
  });

  it('names a thread\'s assistant, or says it was deleted', () => {
    const names = new Map([['workspace:a', 'Reviewer']]);
    assert.equal(assistantLabel('workspace:a', names), 'Reviewer');
    assert.equal(assistantLabel('workspace:gone', names), 'deleted assistant');
    assert.equal(assistantLabel(undefined, names), undefined);
    assert.equal(assistantLabel('workspace:a', undefined), undefined, 'no claim when the assistants could not be listed');
  });

  it('says the last activity relative to now', () => {
    const now = 1_800_000_000;
    assert.equal(lastActivityLabel(now - 5, now), 'just now');
    assert.equal(lastActivityLabel(now - 5 * 60, now), '5 min ago');
    assert.equal(lastActivityLabel(now - 3 * 3600, now), '3 h ago');
    assert.equal(lastActivityLabel(now - 30 * 3600, now), 'yesterday');
    assert.equal(lastActivityLabel(now - 4 * 86_400, now), '4 days ago');
    assert.equal(lastActivityLabel(now - 30 * 86_400, now), new Date((now - 30 * 86_400) * 1000).toISOString().slice(0, 10));
  });
});
