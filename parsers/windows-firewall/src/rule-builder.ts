/**
 * Building a FirewallRule from its fields, whether they come from a rule string or from a GPO
 * report's rule element, with the checks MS-GPFAS 2.2.2.19 states in prose: keys that appear at
 * most once, keys that need a version, ports only with TCP or UDP, ICMP types only with ICMP.
 */
import { type FirewallRule, type Location, type ParseWarning, type RuleField, WindowsFirewallSyntaxError } from './ast';
import { type KeySpec, keySpec } from './catalog';
import { readAddress, readBoolean, readGuid, readIcmp, readPlatform, readPort, readProtocol, readToken, versionNumber } from './values';

export interface RuleSource {
  location: Location;
  text: string;
  /** VERSION as written (without `v`) and where. */
  version: { text: string; location: Location };
  id?: string;
  /**
   * Rule strings follow the grammar to the letter: Protocol= before any port or ICMP field, and
   * each port key with its own forms. GPO reports render fields in their own order and are read
   * leniently on both.
   */
  rendered?: boolean;
}

function fail(location: Location, expected: string): never {
  throw new WindowsFirewallSyntaxError(location, expected);
}

export function buildRule(source: RuleSource, fields: RuleField[], warnings: ParseWarning[]): FirewallRule {
  const version = versionNumber(source.version.text);
  if (version === undefined) {
    fail(source.version.location, `expected the rule's version as MAJOR.MINOR (each 0-255), not "${source.version.text}"`);
  }
  const rule: FirewallRule = {
    location: source.location,
    ...(source.id !== undefined ? { id: source.id } : {}),
    text: source.text,
    version: source.version.text,
    fields,
    profile: [],
    lport: [],
    rport: [],
    icmp4: [],
    icmp6: [],
    la: [],
    ra: [],
    if: [],
    ifType: [],
    platform: [],
    ttk: [],
    unknown: [],
  };
  const seenOnce = new Map<string, Location>();
  for (const field of fields) {
    const spec = keySpec(field.key);
    if (!spec) {
      rule.unknown.push(field);
      warnings.push({
        location: field.location,
        message: `${field.key}= is not a key of MS-GPFAS 2.2.2.19: kept as written, not interpreted`,
      });
      continue;
    }
    checkOccurrence(spec, field, seenOnce);
    if (spec.minVersion !== undefined && version < spec.minVersion) {
      fail(
        field.location,
        `${spec.key}= needs a rule version of at least ${spec.minVersion >> 8}.${spec.minVersion & 0xff}; this rule is v${source.version.text}`,
      );
    }
    applyField(rule, spec, field, source.rendered === true, warnings);
  }
  checkProtocolFields(rule, source.rendered === true);
  return rule;
}

function checkOccurrence(spec: KeySpec, field: RuleField, seenOnce: Map<string, Location>): void {
  if (!spec.once) return;
  const first = seenOnce.get(spec.key);
  if (first) {
    const where = first.column !== undefined && first.line === field.location.line ? `column ${first.column}` : `line ${first.line}`;
    fail(field.location, `${spec.key}= may appear only once in a rule (it is already at ${where})`);
  }
  seenOnce.set(spec.key, field.location);
}

function applyField(rule: FirewallRule, spec: KeySpec, field: RuleField, rendered: boolean, warnings: ParseWarning[]): void {
  const { value, location } = field;
  const key = field.key;
  const grammar = spec.value;
  switch (grammar.kind) {
    case 'token':
      return applyToken(rule, spec.key, { key, location, value: readToken(grammar.tokens, value, key, location) });
    case 'boolean':
      return applyToken(rule, spec.key, { key, location, value: readBoolean(value, key, location) });
    case 'protocol':
      rule.protocol = { key, location, value: readProtocol(value, location) };
      return;
    case 'port':
      (grammar.side === 'local' ? rule.lport : rule.rport).push(readPort(value, key, location, grammar.forms, grammar.keywords, rendered));
      return;
    case 'address':
      (grammar.side === 'local' ? rule.la : rule.ra).push(
        readAddress(value, key, location, grammar.family, grammar.keywords, grammar.literals),
      );
      return;
    case 'icmp':
      (grammar.family === 4 ? rule.icmp4 : rule.icmp6).push(readIcmp(value, key, location));
      return;
    case 'platform':
      rule.platform.push(readPlatform(value, key, location));
      return;
    case 'version':
      if (versionNumber(value) === undefined) fail(location, `expected a version MAJOR.MINOR after ${key}=, not "${value}"`);
      rule.skipVer = { key, location, value };
      return;
    case 'guid':
      rule.if.push({ key, location, value: readGuid(value, key, location) });
      return;
    case 'trust-tuple':
      rule.ttk.push({ key, location, keyword: readToken(grammar.tokens, value, key, location) });
      return;
    case 'text':
      return applyText(rule, spec.key, field, grammar.descriptive === true, warnings);
  }
}

/** Token-valued keys, by Microsoft's spelling of the key. */
function applyToken(rule: FirewallRule, canonical: string, token: { key: string; location: Location; value: string | boolean }): void {
  const assign = TOKEN_TARGETS.get(canonical);
  if (!assign) throw new Error(`no target for ${canonical}`);
  assign(rule, token);
}

/* The token value's type is the key spec's token set, so the casts below only name what the catalog guarantees. */
type TokenTarget = (rule: FirewallRule, token: { key: string; location: Location; value: string | boolean }) => void;
const TOKEN_TARGETS = new Map<string, TokenTarget>([
  ['Action', (rule, t) => (rule.action = t as FirewallRule['action'])],
  ['Dir', (rule, t) => (rule.dir = t as FirewallRule['dir'])],
  ['Profile', (rule, t) => rule.profile.push(t as FirewallRule['profile'][number])],
  ['Security', (rule, t) => (rule.security = t as FirewallRule['security'])],
  ['Security2_9', (rule, t) => (rule.security2_9 = t as FirewallRule['security2_9'])],
  ['Security2', (rule, t) => (rule.security2 = t as FirewallRule['security2'])],
  ['IFType', (rule, t) => rule.ifType.push(t as FirewallRule['ifType'][number])],
  ['Defer', (rule, t) => (rule.defer = t as FirewallRule['defer'])],
  ['Platform2', (rule, t) => (rule.platform2 = t as FirewallRule['platform2'])],
  ['Edge', (rule, t) => (rule.edge = t as FirewallRule['edge'])],
  ['LSM', (rule, t) => (rule.lsm = t as FirewallRule['lsm'])],
  ['Active', (rule, t) => (rule.active = t as FirewallRule['active'])],
  ['AuthByPassOut', (rule, t) => (rule.authByPassOut = t as FirewallRule['authByPassOut'])],
  ['LOM', (rule, t) => (rule.lom = t as FirewallRule['lom'])],
  ['PCross', (rule, t) => (rule.pcross = t as FirewallRule['pcross'])],
]);

const TEXT_TARGETS = new Map<string, keyof FirewallRule>([
  ['App', 'app'],
  ['Svc', 'svc'],
  ['AppPkgId', 'appPkgId'],
  ['Name', 'name'],
  ['Desc', 'desc'],
  ['EmbedCtxt', 'embedCtxt'],
  ['RMAuth', 'rmAuth'],
  ['RUAuth', 'ruAuth'],
  ['LUAuth', 'luAuth'],
  ['LUAuth2_24', 'luAuth2_24'],
  ['LUOwn', 'luOwn'],
  ['NNm', 'nnm'],
  ['SecurityRealmId', 'securityRealmId'],
]);

/**
 * STR-VAL = 1*ALPHANUM: an empty value is refused where it would be a condition (App=, Svc=,
 * RMAuth=, …) and kept with a warning where it only describes the rule (Name=, Desc=, EmbedCtxt=).
 */
function applyText(rule: FirewallRule, canonical: string, field: RuleField, descriptive: boolean, warnings: ParseWarning[]): void {
  if (field.value === '') {
    if (!descriptive) fail(field.location, `expected a value after ${field.key}= (MS-GPFAS: STR-VAL has at least one character)`);
    warnings.push({ location: field.location, message: `${field.key}= is empty (MS-GPFAS: STR-VAL has at least one character)` });
  }
  const target = TEXT_TARGETS.get(canonical);
  if (!target) throw new Error(`no target for ${canonical}`);
  Object.assign(rule, { [target]: { key: field.key, location: field.location, value: field.value } });
}

/**
 * "The LPort= token MUST appear only if a Protocol= token has appeared before it on the rule
 * string AND the value of the Protocol= token is either 6 (for TCP) or 17 (for UDP). The same
 * applies to RPort=, LPort2_10= and RPort2_10=. ICMP4= and ICMP6= MUST appear only if Protocol=
 * has appeared before it and expressed a value of 1 for ICMP4= or of 58 for ICMP6=."
 */
function checkProtocolFields(rule: FirewallRule, rendered: boolean): void {
  const protocol = rule.protocol;
  // Each field's place in the rule, looked up once: a rule may have a hundred thousand port fields.
  const placeOf = new Map(rule.fields.map((field, index) => [field.location, index]));
  const protocolIndex = protocol ? (placeOf.get(protocol.location) ?? -1) : -1;
  const needs = (fieldLocation: Location, key: string, wanted: number[], name: string): void => {
    const before = rendered || (placeOf.get(fieldLocation) ?? -1) > protocolIndex;
    if (protocol && wanted.includes(protocol.value) && before) return;
    const want = wanted.map((n) => `Protocol=${n}`).join(' or ');
    if (!protocol) fail(fieldLocation, `${key}= needs ${want} (${name}) before it; the rule has no Protocol=`);
    if (!wanted.includes(protocol.value)) fail(fieldLocation, `${key}= needs ${want} (${name}); the rule has Protocol=${protocol.value}`);
    fail(fieldLocation, `${key}= needs ${want} before it (MS-GPFAS 2.2.2.19); Protocol= comes after`);
  };
  for (const port of [...rule.lport, ...rule.rport]) needs(port.location, port.key, [6, 17], 'TCP or UDP');
  for (const icmp of rule.icmp4) needs(icmp.location, icmp.key, [1], 'ICMP');
  for (const icmp of rule.icmp6) needs(icmp.location, icmp.key, [58], 'ICMPv6');
}
