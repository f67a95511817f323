import * as assert from 'node:assert/strict';
import { RunState, diffSnapshot } from '../../../../src/core/runs/runState';
import { message, messageStep, snapshot } from '../stubBackend';

describe('diffSnapshot', () => {
  it('announces a new message empty, then its text as a delta', () => {
    const state = new RunState();
    const events = state.advance(snapshot('in_progress', { steps: [messageStep('s1', 'm1')], messages: [message('m1', 'Hi')] }));
    assert.deepEqual(events.map((e) => e.type), ['run.updated', 'step.created', 'message.created', 'message.delta']);
    const created = events[2];
    assert.ok(created.type === 'message.created' && created.message.content[0].type === 'text' && created.message.content[0].text === '');
  });

  it('emits only grown text, completions and the final status last', () => {
    const state = new RunState();
    state.advance(snapshot('in_progress', { steps: [messageStep('s1', 'm1')], messages: [message('m1', 'Hel')] }));
    const events = diffSnapshot(state, snapshot('completed', { steps: [messageStep('s1', 'm1', 'completed')], messages: [message('m1', 'Hello', 'completed')] }));
    assert.deepEqual(events.map((e) => e.type), ['step.completed', 'message.delta', 'message.completed', 'run.updated']);
    assert.ok(events[1].type === 'message.delta' && events[1].text === 'lo');
  });

  it('emits nothing when nothing changed', () => {
    const state = new RunState();
    const same = snapshot('in_progress', { messages: [message('m1', 'x')] });
    state.advance(same);
    assert.deepEqual(state.advance(same), []);
  });

  it('rebuilds streamed text from deltas', () => {
    const state = new RunState();
    state.apply({ type: 'message.created', message: message('m1', '') });
    state.apply({ type: 'message.delta', messageId: 'm1', index: 0, text: 'ab' });
    state.apply({ type: 'message.delta', messageId: 'm1', index: 0, text: 'c' });
    const part = state.messages.get('m1')?.content[0];
    assert.equal(part?.type === 'text' && part.text, 'abc');
  });
});
