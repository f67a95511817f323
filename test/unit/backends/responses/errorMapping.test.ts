import * as assert from 'node:assert/strict';
import { APIConnectionError, APIError, APIUserAbortError } from 'openai';
import { parseRetryAfter, toAssistantsError, toStreamingError } from '../../../../src/backends/errorMapping';
import { AssistantsError } from '../../../../src/core/errors';
import { madeUpKey } from '../../../support/madeUpKeys';

function apiError(status: number, message: string, headers: Record<string, string> = {}): APIError {
  return APIError.generate(status, { error: { message } }, undefined, new Headers(headers));
}

describe('toAssistantsError', () => {
  it('maps statuses to kinds with actionable sentences', () => {
    const auth = toAssistantsError(apiError(401, 'Incorrect API key provided: sk-abcdef123456.'));
    assert.equal(auth.kind, 'auth');
    assert.match(auth.message, /Assistants: Set API Key/);
    assert.doesNotMatch(auth.message, /abcdef123456/, 'key material is masked');
    assert.equal(toAssistantsError(apiError(404, 'No such thing')).kind, 'not_found');
    assert.equal(toAssistantsError(apiError(503, 'busy')).kind, 'server');
    assert.equal(toAssistantsError(apiError(501, 'nope')).kind, 'unsupported');
    assert.equal(toAssistantsError(apiError(400, 'bad field')).kind, 'bad_request');
    assert.match(toAssistantsError(apiError(400, 'bad field')).message, /bad field/);
  });

  it('reads the wait of a 429 from retry-after-ms, then retry-after', () => {
    assert.equal(toAssistantsError(apiError(429, 'slow', { 'retry-after-ms': '750', 'retry-after': '9' })).options.retryAfterMs, 750);
    const rateLimited = toAssistantsError(apiError(429, 'slow', { 'retry-after': '2' }));
    assert.equal(rateLimited.kind, 'rate_limited');
    assert.equal(rateLimited.options.retryAfterMs, 2000);
    assert.equal(parseRetryAfter(new Headers({ 'retry-after': new Date(10_000).toUTCString() }), 4_000), 6_000);
    assert.equal(parseRetryAfter(new Headers({})), undefined);
  });

  it('reads a wait that asks for none, or is no wait, as none told: the retry then waits its own backoff', () => {
    const now = Date.UTC(2026, 0, 1);
    const noWaits: Record<string, string>[] = [
      { 'retry-after': '0' },
      { 'retry-after': '-5' },
      { 'retry-after': new Date(now - 3_600_000).toUTCString() },
      { 'retry-after': 'soon' },
      { 'retry-after': 'in a minute' },
      { 'retry-after': 'Infinity' },
      { 'retry-after-ms': '0' },
      { 'retry-after-ms': '-250' },
      { 'retry-after-ms': 'abc' },
    ];
    for (const headers of noWaits) {
      assert.equal(parseRetryAfter(new Headers(headers), now), undefined, JSON.stringify(headers));
    }
    // A header sent twice is joined with a comma; each copy says the same.
    assert.equal(parseRetryAfter(new Headers([['retry-after', '30'], ['retry-after', '30']]), now), 30_000);
    assert.equal(parseRetryAfter(new Headers({ 'retry-after-ms': '1500, 1500' }), now), 1_500);
    // retry-after-ms that says nothing leaves retry-after to say it.
    assert.equal(parseRetryAfter(new Headers({ 'retry-after-ms': 'abc', 'retry-after': '2.5' }), now), 2_500);
    assert.equal(parseRetryAfter(new Headers({ 'retry-after': new Date(now + 90_000).toUTCString() }), now), 90_000);
  });

  it('says how long a 429 asks to wait in words a person reads, up to waits of years', () => {
    const said = (headers: Record<string, string>): string => toAssistantsError(apiError(429, 'slow', headers)).message;
    assert.match(said({ 'retry-after': '3600' }), /asks to wait 1 h\. Send again after that\./);
    assert.match(said({ 'retry-after': String(40 * 86_400) }), /asks to wait 40 days\./);
    assert.match(said({ 'retry-after': new Date(Date.now() + 3650 * 86_400_000).toUTCString() }), /asks to wait more than a year\./);
    assert.match(said({ 'retry-after-ms': '99999999999999' }), /asks to wait more than a year\./);
    assert.match(said({ 'retry-after': '0' }), /rate limit was reached\. Wait a minute, then send again\./);
  });

  it('names the host it could not reach, and maps aborts to cancelled', () => {
    const network = toAssistantsError(new APIConnectionError({ message: 'Connection error.' }), { baseUrl: 'http://127.0.0.1:9/v1' });
    assert.equal(network.kind, 'network');
    assert.match(network.message, /Could not reach 127\.0\.0\.1:9/);
    assert.equal(toAssistantsError(new APIUserAbortError()).kind, 'cancelled');
  });

  it('marks a server that cannot stream as unsupported', () => {
    assert.equal(toStreamingError(apiError(400, 'Streaming is not supported by this server.')).kind, 'unsupported');
    assert.equal(toStreamingError(apiError(400, 'Missing model')).kind, 'bad_request');
  });
});

describe('keys in server messages', () => {
  it('masks the configured key wherever a server echoes it, whatever its shape', () => {
    const key = madeUpKey('gsk', '0123456789abcdefTOPSECRET');
    const error = toAssistantsError(new AssistantsError('server', `The server reported an error while streaming: bad key ${key}`), { apiKey: key });
    assert.doesNotMatch(error.message, /TOPSECRET/);
    assert.match(error.message, /bad key \*\*\*/);
  });
});

describe('toAssistantsError beyond the SDK', () => {
  it('calls a broken stream read a network failure, and a parse error a bad answer, not network', () => {
    const cut = new TypeError('terminated');
    assert.equal(toAssistantsError(cut, { baseUrl: 'http://127.0.0.1:9/v1' }).kind, 'network');
    const reset = Object.assign(new Error('read ECONNRESET'), { code: 'ECONNRESET' });
    assert.equal(toAssistantsError(reset).kind, 'network');
    assert.equal(toAssistantsError(new SyntaxError('Unexpected token < in JSON')).kind, 'bad_response');
  });

  it('masks the key in an unrecognised error too', () => {
    const key = madeUpKey('sk-test', 'secret-123456');
    const mapped = toAssistantsError(new Error(`bad header Bearer ${key}`), { apiKey: key });
    assert.doesNotMatch(mapped.message, /secret-123456/);
  });
});
