import * as assert from 'node:assert/strict';
import type { RecordedRequest } from '../fakes/fakeServer';
import { matchPath } from '../fakes/http';
import { validateRequest, validateResponse } from './openapi';

/** Every request a client sent and every answer (JSON or SSE events) the fake gave, checked against the spec. */
export function contractErrors(requests: RecordedRequest[]): string[] {
  const errors: string[] = [];
  for (const r of requests) {
    const label = `${r.method} ${r.path}`;
    errors.push(...validateRequest(r.method, r.path, r.body).map((e) => `${label} request: ${e}`));
    if (r.status !== 0) errors.push(...validateResponse(r.method, r.path, r.status, r.response).map((e) => `${label} ${r.status}: ${e}`));
  }
  return errors;
}

/** Guards against a contract test that passes because it checked nothing. */
export function assertExercised(requests: RecordedRequest[], templates: string[]): void {
  for (const template of templates) {
    const [method, path] = template.split(' ');
    assert.ok(requests.some((r) => r.method === method && r.status === 200 && matchPath(path, r.path)), `${template} was never exercised`);
  }
}
