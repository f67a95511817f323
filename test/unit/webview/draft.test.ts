import * as assert from 'node:assert/strict';
import type { DraftView } from '../../../src/common/protocol';
import { DraftSync, newerDraft, nextDraftSeq } from '../../../webview/draft';

/** A DraftSync on a virtual clock, recording what it posts to the host and writes to the page's state. */
function harness(initial: DraftView = { text: '', seq: 0 }) {
  const clock = { now: 1_000_000 };
  const posted: DraftView[] = [];
  const persisted: DraftView[] = [];
  const sync = new DraftSync({ post: (draft) => posted.push(draft), persist: (draft) => persisted.push(draft), now: () => clock.now }, initial);
  return { sync, posted, persisted, clock };
}

describe('the composer draft in the webview', () => {
  it('numbers changes by the clock, always rising (a page after a reload continues above the last)', () => {
    assert.equal(nextDraftSeq(0, 5000), 5000);
    assert.equal(nextDraftSeq(5000, 5000), 5001);
    assert.equal(nextDraftSeq(9000, 5000), 9001, 'a clock set back still rises');
  });

  it('takes the newer of the page\'s and the host\'s copies, the page\'s on a tie', () => {
    const page = { text: 'page', seq: 10 };
    assert.equal(newerDraft(page, { text: 'host', seq: 11 }).text, 'host');
    assert.equal(newerDraft(page, { text: 'host', seq: 9 }).text, 'page');
    assert.equal(newerDraft(page, { text: 'host', seq: 10 }).text, 'page');
    assert.equal(newerDraft(page, undefined).text, 'page');
  });

  it('gives both copies every keystroke at once, numbered in order (the last ones before a reload count)', () => {
    const { sync, posted, persisted } = harness();
    sync.changed('h');
    sync.changed('he');
    sync.changed('hey');
    assert.deepEqual(persisted.map((d) => d.text), ['h', 'he', 'hey']);
    assert.deepEqual(posted, persisted);
    assert.ok(posted[0].seq < posted[1].seq && posted[1].seq < posted[2].seq, 'same millisecond, still rising');
  });

  it('a send clears with a number above the text it sent, so no earlier copy can win', () => {
    const { sync, posted, persisted } = harness();
    sync.changed('the question');
    const clearSeq = sync.sending();
    assert.equal(sync.current.text, 'the question', 'kept until the host accepts, should the send be refused');
    assert.ok(clearSeq > posted[0].seq);
    assert.equal(sync.cleared(clearSeq), true);
    assert.deepEqual(persisted.at(-1), { text: '', seq: clearSeq });
    // The next page: the page's copy (cleared) beats a host copy that lost the clear.
    assert.equal(sync.adopt({ text: 'the question', seq: posted[0].seq }), undefined);
    assert.equal(sync.current.text, '');
  });

  it('after a window reload that lost the page\'s state, the host\'s newer copy comes back', () => {
    const { sync, persisted } = harness({ text: 'older', seq: 5 });
    assert.equal(sync.adopt({ text: 'typed before the reload', seq: 7 }), 'typed before the reload');
    assert.deepEqual(persisted.at(-1), { text: 'typed before the reload', seq: 7 });
    sync.changed('typed before the reload, and more');
    assert.ok(sync.current.seq > 7, 'numbers go on above the adopted copy');
  });

  it('a clear older than text typed since is ignored, and the composer keeps that text', () => {
    const { sync } = harness();
    sync.changed('first');
    const seq = sync.sending();
    sync.changed('typed while the send was on its way');
    assert.equal(sync.cleared(seq), false);
    assert.equal(sync.current.text, 'typed while the send was on its way');
  });
});
