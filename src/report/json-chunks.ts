/**
 * JSON.stringify(value, replacer, 2) in pieces: the model of a large configuration is longer than
 * the longest string V8 can hold, so its outer containers are written one member at a time and
 * only the members themselves are stringified whole. The text is the same as JSON.stringify's
 * for a replacer that gives back what it is given again (a bigint's string, a Map's object).
 */
export type JsonReplacer = (key: string, value: unknown) => unknown;

/** Containers up to this depth are split into members; deeper ones are small enough to stringify whole. */
const SPLIT_DEPTH = 8;

const INDENT = '  ';

/** The pieces of the JSON text, in order. */
export function* jsonChunks(value: unknown, replacer: JsonReplacer): Generator<string> {
  const prepared = prepare({ '': value }, '', value, replacer);
  if (prepared === undefined) return;
  yield* chunksOf(prepared, replacer, 0);
}

/** What JSON.stringify writes for `value` under `key`: after toJSON and the replacer; undefined where it writes nothing. */
function prepare(holder: object, key: string, value: unknown, replacer: JsonReplacer): unknown {
  const own = value !== null && typeof value === 'object' && typeof (value as { toJSON?: unknown }).toJSON === 'function';
  const converted = own ? (value as { toJSON: (key: string) => unknown }).toJSON(key) : value;
  const replaced = replacer.call(holder, key, converted);
  return replaced === undefined || typeof replaced === 'function' || typeof replaced === 'symbol' ? undefined : replaced;
}

function* chunksOf(value: unknown, replacer: JsonReplacer, depth: number): Generator<string> {
  if (value === null || typeof value !== 'object' || depth >= SPLIT_DEPTH) {
    yield indented(JSON.stringify(value, replacer, 2), depth);
    return;
  }
  const inner = INDENT.repeat(depth + 1);
  const members = Array.isArray(value) ? arrayMembers(value, replacer) : objectMembers(value, replacer);
  const [open, close] = Array.isArray(value) ? ['[', ']'] : ['{', '}'];
  let first = true;
  for (const { name, member } of members) {
    yield `${first ? open : ','}\n${inner}${name === undefined ? '' : `${JSON.stringify(name)}: `}`;
    yield* chunksOf(member, replacer, depth + 1);
    first = false;
  }
  yield first ? `${open}${close}` : `\n${INDENT.repeat(depth)}${close}`;
}

function* arrayMembers(array: unknown[], replacer: JsonReplacer): Generator<{ name?: string; member: unknown }> {
  for (let index = 0; index < array.length; index++) {
    const member = prepare(array, String(index), array[index], replacer);
    yield { member: member === undefined ? null : member };
  }
}

function* objectMembers(object: object, replacer: JsonReplacer): Generator<{ name?: string; member: unknown }> {
  for (const name of Object.keys(object)) {
    const member = prepare(object, name, (object as Record<string, unknown>)[name], replacer);
    if (member !== undefined) yield { name, member };
  }
}

/** A whole member's JSON, its lines after the first indented to its depth. */
function indented(json: string, depth: number): string {
  return depth === 0 ? json : json.replace(/\n/g, `\n${INDENT.repeat(depth)}`);
}
