/**
 * Made-up API keys for tests and benches, put together when they run: no file holds a string in a
 * real key's shape (`sk-proj-` and a long run of letters and digits), which a secret scanner would
 * rightly report as a key committed by mistake. The values are the same as when they were written
 * whole; none ever was a key.
 *
 * `madeUpKey('sk-proj', 'FAKE0…')` is `sk-proj-FAKE0…`.
 */
export function madeUpKey(prefix: 'sk' | 'sk-proj' | 'sk-svcacct' | 'sk-test' | 'gsk', body: string): string {
  return `${prefix}${prefix === 'gsk' ? '_' : '-'}${body}`;
}

/** The key the hostile-input benches and their unit test send and look for: 48 characters, as a project key's start. */
export const HOSTILE_KEY = madeUpKey('sk-proj', 'FAKE0notArealKEY0forTESTSonly0FAKE0notAr');
