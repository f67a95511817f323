import type { ValidateFunction } from 'ajv';
import type { JsonSchemaType, JsonSchemaValidator, jsonSchemaValidator } from '@modelcontextprotocol/sdk/validation/types.js';
import { boundedAjv } from '../text/boundedAjv';
import { oneLine } from '../../common/showable';

/**
 * The MCP client's checks of a tool's `structuredContent` against its `outputSchema`, on the bounded
 * Ajv every other schema of a repository or a server goes through (`boundedAjv`: patterns on a
 * linear-time engine, schema size and depth capped before compiling, each check about 100 ms at
 * most). The SDK's own validator compiles with plain Ajv: a pattern such as `^(a+)+$` held the
 * extension host for seconds per character of a result, and 60,000 properties for 8 s at listing.
 *
 * `getValidator` never throws (the SDK calls it for every tool while listing them, and a throw there
 * kept the whole server from starting): a schema that cannot be used fails each call of that tool
 * with a sentence saying why. Schemas are compiled without being registered by their `$id`, so two
 * tools (or two listings) naming one `$id` do not clash.
 * Source: the MCP specification, "Tools: Output Schema"; the SDK's `jsonSchemaValidator` option.
 */
export class BoundedOutputSchemas implements jsonSchemaValidator {
  private readonly ajv = boundedAjv({ addUsedSchema: false });

  getValidator<T>(schema: JsonSchemaType): JsonSchemaValidator<T> {
    let validate: ValidateFunction;
    try {
      validate = this.ajv.compile(schema);
    } catch (error) {
      const errorMessage = `its output schema cannot be used (${oneLine(error instanceof Error ? error.message : String(error)).slice(0, 200)}), so its results are not accepted`;
      return () => ({ valid: false, data: undefined, errorMessage });
    }
    return (input) =>
      validate(input) === true
        ? { valid: true, data: input as T, errorMessage: undefined }
        : { valid: false, data: undefined, errorMessage: oneLine(this.ajv.errorsText(validate.errors)).slice(0, 500) };
  }
}
