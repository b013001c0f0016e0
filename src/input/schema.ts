/**
 * Validation of input files against the published JSON Schemas (schemas/*.schema.json), with
 * ajv's errors turned into diagnostics that name the line and say in plain words what was
 * expected. A schema may carry `x-message`: the plain words for what the schema object expects,
 * used instead of the generated message (for `required`, as the reason after the property).
 */
import * as path from 'node:path';
import { type ErrorObject, type ValidateFunction } from 'ajv/dist/2020';
import { type Diagnostic } from '../model/errors';
import { addressError } from './address-syntax';
import { escapePointerSegment, type ParsedInput, sortByPosition } from './document';

/** The schemas input files are checked against; the build makes a validator of each (tools/validators.ts). */
export const INPUT_SCHEMAS = ['deployment', 'matrix', 'waivers'] as const;
export type SchemaName = (typeof INPUT_SCHEMAS)[number];

const validators = new Map<SchemaName, ValidateFunction>();

function validatorFor(name: SchemaName): ValidateFunction {
  let validate = validators.get(name);
  if (validate === undefined) {
    // Generated code, next to this file once built: loading it costs a fraction of compiling the schema.
    const module = path.join(__dirname, 'validators', `${name}.js`);
    try {
      // eslint-disable-next-line @typescript-eslint/no-require-imports -- a module the build writes, found by its path
      validate = (require(module) as { default: ValidateFunction }).default;
    } catch (e) {
      throw new Error(`internal: the validator of the ${name} schema is missing (${module}): build fwmatrix with npm run build`, {
        cause: e,
      });
    }
    validators.set(name, validate);
  }
  return validate;
}

/** The schema violations of a parsed file, located and in plain words, in the file's order. */
export function schemaDiagnostics(input: ParsedInput, name: SchemaName): Diagnostic[] {
  const validate = validatorFor(name);
  if (validate(input.data)) return [];
  const seen = new Set<string>();
  const diagnostics: Diagnostic[] = [];
  for (const error of relevantErrors(validate.errors ?? [])) {
    const { pointer, part, message } = describeError(error);
    const identity = `${pointer}\n${message}`;
    if (seen.has(identity)) continue;
    seen.add(identity);
    diagnostics.push({ location: input.locate(pointer, part), message });
  }
  return sortByPosition(diagnostics);
}

/**
 * The errors worth showing. `if` only says that a `then` failed, and the `then`'s own errors
 * say how. For anyOf/oneOf: when a branch got deeper into the value than the others (the value
 * is a list, and one of its items is wrong), that branch's errors tell the story; otherwise the
 * alternative's own summary does.
 */
function relevantErrors(errors: ErrorObject[]): ErrorObject[] {
  const dropped = new Set<ErrorObject>();
  const alternatives = errors
    .filter((error) => error.keyword === 'anyOf' || error.keyword === 'oneOf')
    .sort((a, b) => a.schemaPath.length - b.schemaPath.length);
  for (const alternative of alternatives) {
    if (dropped.has(alternative)) continue;
    const branchErrors = errors.filter((error) => error.schemaPath.startsWith(`${alternative.schemaPath}/`));
    const deeper = branchErrors.filter((error) => error.instancePath.startsWith(`${alternative.instancePath}/`));
    if (deeper.length > 0) {
      dropped.add(alternative);
      for (const error of branchErrors) if (!deeper.includes(error)) dropped.add(error);
    } else {
      for (const error of branchErrors) dropped.add(error);
    }
  }
  // propertyNames only says that a name failed; the errors inside it say which and how.
  return errors.filter((error) => !dropped.has(error) && error.keyword !== 'if' && error.keyword !== 'propertyNames');
}

interface ErrorDescription {
  pointer: string;
  part: 'key' | 'value';
  message: string;
}

function describeError(error: ErrorObject): ErrorDescription {
  const params = error.params as Record<string, unknown>;
  const custom = xMessage(error.parentSchema);
  if (error.propertyName !== undefined) {
    // An error inside propertyNames: the key is wrong, not the value.
    return {
      pointer: `${error.instancePath}/${escapePointerSegment(error.propertyName)}`,
      part: 'key',
      message: `invalid name '${error.propertyName}': ${custom ?? generatedMessage(error)}`,
    };
  }
  switch (error.keyword) {
    case 'required':
      return {
        pointer: error.instancePath,
        part: 'value',
        message: `missing required property '${String(params.missingProperty)}'${custom ? `: ${custom}` : ''}`,
      };
    case 'additionalProperties': {
      const property = String(params.additionalProperty);
      const known = Object.keys((error.parentSchema as { properties?: object }).properties ?? {});
      return {
        pointer: `${error.instancePath}/${escapePointerSegment(property)}`,
        part: 'key',
        message: `unknown property '${property}'${known.length > 0 ? `; expected one of ${known.join(', ')}` : ''}`,
      };
    }
    case 'uniqueItems':
      return {
        pointer: `${error.instancePath}/${String(params.i)}`,
        part: 'value',
        message: `duplicate item ${describeValue((error.data as unknown[])[params.i as number])}`,
      };
    case 'format':
      if (params.format === 'address') {
        return { pointer: error.instancePath, part: 'value', message: addressError(String(error.data)) ?? 'invalid address' };
      }
      break;
    case 'not':
    case 'false schema':
      return { pointer: error.instancePath, part: 'key', message: custom ?? 'not allowed here' };
  }
  // What was there helps when it is a scalar, or of the wrong type; "got a list" after "expected a non-empty list" does not.
  const shown = error.keyword === 'type' || typeof error.data !== 'object' || error.data === null;
  return {
    pointer: error.instancePath,
    part: 'value',
    message: `${custom ?? generatedMessage(error)}${shown ? `, got ${describeValue(error.data)}` : ''}`,
  };
}

/** What a value-level keyword expected, in plain words. */
function generatedMessage(error: ErrorObject): string {
  const params = error.params as Record<string, unknown>;
  switch (error.keyword) {
    case 'type':
      return `expected ${String(params.type)
        .split(',')
        .map((type) => TYPE_WORDS[type] ?? type)
        .join(' or ')}`;
    case 'enum':
      return `expected one of ${(params.allowedValues as unknown[]).map(String).join(', ')}`;
    case 'const':
      return `expected ${String(params.allowedValue)}`;
    case 'pattern':
      return `expected text matching ${String(params.pattern)}`;
    case 'format':
      return params.format === 'date' ? 'expected a date YYYY-MM-DD' : `expected the format ${String(params.format)}`;
    case 'minItems':
      return params.limit === 1 ? 'expected a non-empty list' : `expected at least ${String(params.limit)} items`;
    case 'maxItems':
      return `expected at most ${String(params.limit)} items`;
    case 'minProperties':
      return params.limit === 1 ? 'expected a non-empty mapping' : `expected at least ${String(params.limit)} entries`;
    case 'minLength':
      return params.limit === 1 ? 'expected a non-empty string' : `expected at least ${String(params.limit)} characters`;
    case 'maxLength':
      return `expected at most ${String(params.limit)} characters`;
    case 'minimum':
    case 'maximum':
    case 'exclusiveMinimum':
    case 'exclusiveMaximum':
      return `expected a number ${String(params.comparison)} ${String(params.limit)}`;
    case 'anyOf':
    case 'oneOf':
      return 'expected a value of another kind';
    default:
      return error.message ?? `fails ${error.keyword}`;
  }
}

const TYPE_WORDS: Record<string, string> = {
  string: 'a string',
  integer: 'an integer',
  number: 'a number',
  boolean: 'true or false',
  object: 'a mapping (key: value)',
  array: 'a list',
  null: 'an empty value',
};

function describeValue(value: unknown): string {
  if (value === undefined) return 'nothing';
  if (value === null) return 'an empty value';
  if (Array.isArray(value)) return 'a list';
  if (typeof value === 'object') return 'a mapping';
  if (typeof value === 'string') return JSON.stringify(value.length > 60 ? `${value.slice(0, 57)}...` : value);
  return String(value);
}

function xMessage(schema: unknown): string | undefined {
  const message = (schema as Record<string, unknown> | null | undefined)?.['x-message'];
  return typeof message === 'string' ? message : undefined;
}
