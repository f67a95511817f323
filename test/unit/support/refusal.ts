import * as assert from 'node:assert/strict';
import { AssistantsError } from '../../../src/core/errors';

/** The AssistantsError `promise` rejects with; fails the test when it resolves or rejects with anything else. */
export async function refusal(promise: Promise<unknown>): Promise<AssistantsError> {
  try {
    await promise;
  } catch (error) {
    assert.ok(error instanceof AssistantsError, `expected an AssistantsError, got ${String(error)}`);
    return error;
  }
  assert.fail('expected a refusal');
}
