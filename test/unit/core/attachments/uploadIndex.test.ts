import * as assert from 'node:assert/strict';
import type { KeyValueState } from '../../../../src/core/assistants/assistantService';
import { StateUploadIndex } from '../../../../src/core/attachments/uploadIndex';

/**
 * State every window shares, as VS Code's `globalState` behaves: a write is seen at once, but the
 * whole record can be replaced by an older snapshot the main side reports back (`echo`), and
 * another window's writes arrive the same way.
 */
class SharedState implements KeyValueState {
  private value: Record<string, unknown> = {};
  readonly snapshots: Record<string, unknown>[] = [];

  get<T>(key: string): T | undefined {
    return this.value[key] as T | undefined;
  }

  update(key: string, value: unknown): Promise<void> {
    this.value = { ...this.value, [key]: JSON.parse(JSON.stringify(value)) as unknown };
    this.snapshots.push(this.value);
    return Promise.resolve();
  }

  /** The main side reports an earlier write back: the record goes back to that snapshot. */
  echo(snapshot: Record<string, unknown>): void {
    this.value = snapshot;
  }
}

describe('the upload index in shared state', () => {
  it('keeps every id when an older snapshot is reported back between writes', async () => {
    const state = new SharedState();
    const index = new StateUploadIndex(state);
    await index.set('p', 'a', 'file-a');
    const first = state.snapshots[0];
    await index.set('p', 'b', 'file-b');
    state.echo(first);
    // Read while the state holds the old snapshot, and write on top of it.
    assert.equal(index.get('p', 'b'), 'file-b');
    await index.set('p', 'c', 'file-c');
    assert.deepEqual(['a', 'b', 'c'].map((key) => index.get('p', key)), ['file-a', 'file-b', 'file-c']);
    assert.deepEqual(state.get('assistants.uploads'), { p: { a: 'file-a', b: 'file-b', c: 'file-c' } }, 'the state holds all three again');
  });

  it('keeps what another window wrote, and what it forgets stays forgotten through an echo', async () => {
    const state = new SharedState();
    const index = new StateUploadIndex(state);
    await index.set('p', 'a', 'file-a');
    const withA = state.snapshots[0];
    // Another window adds an entry for another key and another provider.
    await new StateUploadIndex(state).set('q', 'x', 'file-x');
    await new StateUploadIndex(state).set('p', 'z', 'file-z');
    await index.set('p', 'b', 'file-b');
    assert.deepEqual(state.get('assistants.uploads'), { p: { a: 'file-a', z: 'file-z', b: 'file-b' }, q: { x: 'file-x' } });
    await index.forget('p', 'file-a');
    state.echo(withA);
    assert.equal(index.get('p', 'a'), undefined, 'a forgotten id does not come back with an old snapshot');
    assert.equal(index.get('p', 'b'), 'file-b');
  });

  it('forgets every key that names a file id, and only for that provider', async () => {
    const state = new SharedState();
    const index = new StateUploadIndex(state);
    await index.set('p', 'one', 'file-1');
    await index.set('p', 'two', 'file-1');
    await index.set('q', 'one', 'file-1');
    await index.forget('p', 'file-1');
    assert.deepEqual([index.get('p', 'one'), index.get('p', 'two'), index.get('q', 'one')], [undefined, undefined, 'file-1']);
  });
});
