import * as assert from 'node:assert/strict';
import { BoundedOutputSchemas } from '../../../../src/core/mcp/outputSchemas';
import { assertPrompt, startClock } from '../../support/prompt';

/**
 * A local MCP server's tools come with an `outputSchema` its results are checked against: the
 * server, not the user, wrote it. Each check is bounded, and a schema that cannot be used costs
 * that tool its results, not the whole server or the extension host.
 */
describe('MCP output schemas are checked on the bounded validator', () => {
  const schemas = new BoundedOutputSchemas();

  it('a backtracking pattern checks a long result at once, and still refuses what does not match', () => {
    for (const pattern of ['^(a+)+$', '^(a|aa)*$', '(x+x+)+y']) {
      const validate = schemas.getValidator<{ x: string }>({ type: 'object', properties: { x: { type: 'string', pattern } } });
      const clock = startClock();
      const result = validate({ x: `${'a'.repeat(5_000)}!` });
      assertPrompt(`pattern ${pattern}`, clock, 500);
      assert.equal(result.valid, false, pattern);
      assert.match(result.errorMessage ?? '', /must match pattern/);
    }
    assert.deepEqual(schemas.getValidator({ type: 'object', properties: { x: { type: 'string', pattern: '^(a+)+$' } } })({ x: 'aaa' }), { valid: true, data: { x: 'aaa' }, errorMessage: undefined });
  });

  it('a schema too large or too deep to compile is refused before compiling, and fails its tool with a sentence instead of throwing', () => {
    const wide = { type: 'object', properties: Object.fromEntries(Array.from({ length: 60_000 }, (_, i) => [`p${i}`, { type: 'string' }])) };
    let deep: Record<string, unknown> = { type: 'string' };
    for (let i = 0; i < 500; i++) deep = { type: 'object', properties: { a: deep } };
    for (const [label, schema] of [['60,000 properties', wide], ['500 levels', deep], ['a $ref to nowhere', { $ref: '#/definitions/none' }]] as const) {
      const clock = startClock();
      const validate = schemas.getValidator(schema);
      assertPrompt(label, clock, 1_000);
      const result = validate({});
      assert.equal(result.valid, false, label);
      assert.match(result.errorMessage ?? '', /^its output schema cannot be used \(.+\), so its results are not accepted$/, label);
    }
  });

  it('two tools naming one $id each get their own check, listed again or not', () => {
    const first = schemas.getValidator({ $id: 'https://example.test/out.json', type: 'object', required: ['a'] });
    const second = schemas.getValidator({ $id: 'https://example.test/out.json', type: 'object', required: ['b'] });
    assert.equal(first({ a: 1 }).valid, true);
    assert.equal(second({ a: 1 }).valid, false);
    assert.equal(schemas.getValidator({ $id: 'https://example.test/out.json', type: 'object', required: ['a'] })({ a: 1 }).valid, true);
  });
});
