/**
 * Build step (npm run build): turns each input schema (schemas/*.schema.json) into a validator
 * module, dist/src/input/validators/NAME.js, with ajv's standalone code. Compiling the schemas took
 * a fifth of a second of every run, and again in every worker thread.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import Ajv2020 from 'ajv/dist/2020';
import standaloneCode from 'ajv/dist/standalone';
import { _ } from 'ajv/dist/compile/codegen';
import { INPUT_SCHEMAS } from '../src/input/schema';
import { SCHEMA_FORMATS } from '../src/input/schema-formats';

const ROOT = path.resolve(__dirname, '..', '..');
const OUT = path.join(ROOT, 'dist', 'src', 'input', 'validators');

function validatorSource(name: string): string {
  // verbose: errors carry the failing data and schema, which the messages need.
  // strictRequired off: an if/then may require a property that the enclosing schema defines.
  const ajv = new Ajv2020({
    allErrors: true,
    verbose: true,
    strict: true,
    strictRequired: false,
    code: { source: true, formats: _`require("../schema-formats").SCHEMA_FORMATS` },
  });
  for (const [format, definition] of Object.entries(SCHEMA_FORMATS)) ajv.addFormat(format, definition);
  ajv.addKeyword('x-message');
  const schema: unknown = JSON.parse(fs.readFileSync(path.join(ROOT, 'schemas', `${name}.schema.json`), 'utf8'));
  return standaloneCode(ajv, ajv.compile(schema as object));
}

fs.mkdirSync(OUT, { recursive: true });
for (const name of INPUT_SCHEMAS) fs.writeFileSync(path.join(OUT, `${name}.js`), validatorSource(name));
