/**
 * The rule string of MS-GPFAS 2.2.2.19:
 *
 *   RULE  = "v" VERSION "|" 1*FIELD
 *   FIELD = TYPE-VALUE "|"
 *
 * e.g. `v2.31|Action=Allow|Active=TRUE|Dir=In|Protocol=6|LPort=5061|Name=SIP|`.
 */
import { type FirewallRule, type Location, type ParseWarning, type RuleField, WindowsFirewallSyntaxError } from './ast';
import { buildRule } from './rule-builder';

/** Where a rule string stands: its line, and the file column of each of its characters. */
export interface RuleStringPlace {
  line: number;
  /** The file column of the string's character at `offset` (0-based); by default column 1 + offset. */
  columnOf?: (offset: number) => number;
  /** The registry value name the rule is stored under. */
  id?: string;
}

const KEY = /^[A-Za-z0-9_]+$/;

/**
 * Parses one rule string.
 *
 * @throws WindowsFirewallSyntaxError at the line and column where the string leaves the grammar.
 */
export function parseRuleString(text: string, place: RuleStringPlace, warnings: ParseWarning[]): FirewallRule {
  const columnOf = place.columnOf ?? ((offset: number) => offset + 1);
  const at = (offset: number): Location => ({ line: place.line, column: columnOf(offset) });
  const fail = (offset: number, expected: string): never => {
    throw new WindowsFirewallSyntaxError(at(offset), expected);
  };

  const firstBar = text.indexOf('|');
  const head = firstBar >= 0 ? text.slice(0, firstBar) : text;
  if (!/^v/i.test(head) || firstBar < 0) fail(0, 'expected a rule string starting with its version, v<major>.<minor>| (such as v2.31|)');
  const fields: RuleField[] = [];
  let offset = firstBar + 1;
  while (offset < text.length) {
    const bar = text.indexOf('|', offset);
    if (bar < 0) fail(text.length, 'expected | after the last field (every field of a rule string ends with |)');
    const segment = text.slice(offset, bar);
    if (segment === '') fail(offset, 'expected Key=Value between two |');
    const equals = segment.indexOf('=');
    if (equals < 0) fail(offset, `expected Key=Value, not "${segment}"`);
    const key = segment.slice(0, equals);
    if (!KEY.test(key)) fail(offset, `expected a key of letters, digits and _ before =, not "${key}"`);
    fields.push({ key, value: segment.slice(equals + 1), location: at(offset) });
    offset = bar + 1;
  }
  if (fields.length === 0) fail(text.length, 'expected at least one Key=Value| field after the version');
  return buildRule(
    {
      location: at(0),
      text,
      version: { text: head.slice(1), location: at(0) },
      ...(place.id !== undefined ? { id: place.id } : {}),
    },
    fields,
    warnings,
  );
}
