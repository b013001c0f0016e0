/** Values of rule fields, checked against their MS-GPFAS 2.2.2 grammar rules. */
import { ipv4MaskLength, ipv4Value, ipv6Value } from './addresses';
import {
  type AddressValue,
  type IcmpTypeCode,
  type Location,
  type PlatformValidity,
  type PortValue,
  WindowsFirewallSyntaxError,
} from './ast';
import { BOOLEANS, type TokenSet } from './catalog';
import type { PortKeyword, AddressKeyword } from './ast';

/** How strictly single ports and ranges follow the grammar's per-key forms (see readPort). */
export type PortForms = 'single' | 'range' | 'none';

function fail(location: Location, expected: string): never {
  throw new WindowsFirewallSyntaxError(location, expected);
}

/** A decimal of at most `digits` digits and at most `max`, or undefined. */
export function decimal(text: string, digits: number, max: number): number | undefined {
  if (text.length < 1 || text.length > digits || !/^\d+$/.test(text)) return undefined;
  const value = Number(text);
  return value <= max ? value : undefined;
}

/** VERSION = MAJOR-VER "." MINOR-VER, each 1*3DIGIT at most 255; as a number (major << 8 | minor). */
export function versionNumber(text: string): number | undefined {
  const parts = /^(\d{1,3})\.(\d{1,3})$/.exec(text);
  if (!parts) return undefined;
  const major = Number(parts[1]);
  const minor = Number(parts[2]);
  return major <= 255 && minor <= 255 ? (major << 8) | minor : undefined;
}

export function readToken<T extends string>(tokens: TokenSet<T>, value: string, key: string, location: Location): T {
  return tokens.find(value) ?? fail(location, `expected ${tokens.describe()} after ${key}=, not "${value}"`);
}

/** BOOL-VAL = "TRUE" / "FALSE" (GPO reports write true / false). */
export function readBoolean(value: string, key: string, location: Location): boolean {
  return readToken(BOOLEANS, value, key, location) === 'TRUE';
}

/** Protocol= 1*3DIGIT, at most 255. */
export function readProtocol(value: string, location: Location): number {
  return decimal(value, 3, 255) ?? fail(location, `expected a protocol number 0-255 after Protocol=, not "${value}"`);
}

/**
 * A port value. The grammar gives each key its forms: LPort/RPort a single port (PORT-VAL) or,
 * for LPort, a keyword; LPort2_10/RPort2_10 a range BEGIN-END or a keyword; LPort2_20/LPort2_24
 * keywords only. `lenient` accepts a single port or a range under any port key (GPO reports
 * render fields, they are not rule strings).
 */
export function readPort(
  value: string,
  key: string,
  location: Location,
  forms: PortForms,
  keywords: TokenSet<PortKeyword> | undefined,
  lenient: boolean,
): PortValue {
  const keyword = keywords?.find(value);
  if (keyword) return { key, location, kind: 'keyword', keyword };
  const range = /^(\d{1,5})-(\d{1,5})$/.exec(value);
  const single = decimal(value, 5, 65535);
  const allowed = lenient ? 'any' : forms;
  const wanted = describePortForms(allowed, keywords);
  if (range && (allowed === 'range' || allowed === 'any')) {
    const first = decimal(range[1], 5, 65535);
    const last = decimal(range[2], 5, 65535);
    if (first === undefined || last === undefined) fail(location, `expected ports 0-65535 in the range after ${key}=, not "${value}"`);
    if (first > last) fail(location, `expected a port range with its first port not above its last after ${key}=, not "${value}"`);
    return { key, location, kind: 'range', first, last };
  }
  if (single !== undefined && (allowed === 'single' || allowed === 'any'))
    return { key, location, kind: 'range', first: single, last: single };
  if (single !== undefined && allowed === 'range')
    fail(location, `expected ${wanted} after ${key}= (a single port is written ${key.replace('2_10', '')}=${value})`);
  if (range && allowed === 'single') fail(location, `expected ${wanted} after ${key}= (a range is written ${key}2_10=${value})`);
  return fail(location, `expected ${wanted} after ${key}=, not "${value}"`);
}

function describePortForms(forms: PortForms | 'any', keywords: TokenSet<PortKeyword> | undefined): string {
  const numeric = { single: 'a port 0-65535', range: 'a port range BEGIN-END', none: '', any: 'a port 0-65535 or a range BEGIN-END' }[
    forms
  ];
  if (!keywords) return numeric;
  return numeric === '' ? `one of ${keywords.describe()}` : `${numeric} or one of ${keywords.describe()}`;
}

/**
 * An address value: for IPv4 a single address, a range `a-b`, a subnet `a/len` (len ≤ 32) or
 * `a/mask` (a contiguous mask); for IPv6 an address, a range or `a/len` (len ≤ 128); or a keyword
 * where the key allows them.
 */
export function readAddress(
  value: string,
  key: string,
  location: Location,
  family: 4 | 6,
  keywords: TokenSet<AddressKeyword> | undefined,
  literals: boolean,
): AddressValue {
  const keyword = keywords?.find(value);
  if (keyword) return { key, location, family, kind: 'keyword', keyword };
  const wanted = describeAddressForms(family, keywords, literals);
  if (!literals) return fail(location, `expected ${wanted} after ${key}=, not "${value}"`);
  const parse = (text: string): number | bigint | undefined => (family === 4 ? ipv4Value(text) : ipv6Value(text));
  const slash = value.indexOf('/');
  if (slash >= 0) {
    const address = value.slice(0, slash);
    const suffix = value.slice(slash + 1);
    if (parse(address) === undefined) fail(location, `expected ${wanted} after ${key}=, not "${value}"`);
    const length = decimal(suffix, family === 4 ? 2 : 3, family === 4 ? 32 : 128);
    if (length !== undefined) return { key, location, family, kind: 'subnet', address, prefixLength: length };
    const mask = family === 4 ? ipv4Value(suffix) : undefined;
    const maskLength = mask === undefined ? undefined : ipv4MaskLength(mask);
    if (maskLength === undefined) {
      fail(
        location,
        `expected a prefix length 0-${family === 4 ? 32 : 128}${family === 4 ? ' or a contiguous mask' : ''} after "${address}/" in ${key}=, not "${suffix}"`,
      );
    }
    return { key, location, family, kind: 'subnet', address, prefixLength: maskLength, mask: suffix };
  }
  const dash = value.indexOf('-');
  const first = dash >= 0 ? value.slice(0, dash) : value;
  const last = dash >= 0 ? value.slice(dash + 1) : value;
  const firstValue = parse(first);
  const lastValue = parse(last);
  if (firstValue === undefined || lastValue === undefined) return fail(location, `expected ${wanted} after ${key}=, not "${value}"`);
  if (firstValue > lastValue)
    fail(location, `expected an address range with its first address not above its last after ${key}=, not "${value}"`);
  return { key, location, family, kind: 'range', first, last };
}

function describeAddressForms(family: 4 | 6, keywords: TokenSet<AddressKeyword> | undefined, literals: boolean): string {
  const literal = family === 4 ? 'an IPv4 address, range a-b or subnet a/len or a/mask' : 'an IPv6 address, range a-b or subnet a/len';
  if (!keywords) return literal;
  return literals ? `${literal}, or one of ${keywords.describe()}` : `one of ${keywords.describe()}`;
}

/** ICMP-TYPE-CODE-VAL = TYPE ":" CODE; TYPE 1*3DIGIT ≤ 255, CODE 1*3DIGIT ≤ 255 or "*". */
export function readIcmp(value: string, key: string, location: Location): IcmpTypeCode {
  const parts = /^(\d{1,3}):(\d{1,3}|\*)$/.exec(value);
  const type = parts ? decimal(parts[1], 3, 255) : undefined;
  const code = parts && parts[2] !== '*' ? decimal(parts[2], 3, 255) : null;
  if (!parts || type === undefined || code === undefined)
    return fail(location, `expected TYPE:CODE (each 0-255, CODE may be *) after ${key}=, not "${value}"`);
  return { key, location, type, code };
}

/** PLATFORM-VAL = PLATFORM ":" OS-MAJOR-VER ":" OS-MINOR-VER (≤ 7, ≤ 255, ≤ 255). */
export function readPlatform(value: string, key: string, location: Location): PlatformValidity {
  const parts = /^(\d+):(\d{1,3}):(\d{1,3})$/.exec(value);
  const platform = parts ? decimal(parts[1], 1, 7) : undefined;
  const major = parts ? decimal(parts[2], 3, 255) : undefined;
  const minor = parts ? decimal(parts[3], 3, 255) : undefined;
  if (platform === undefined || major === undefined || minor === undefined) {
    return fail(location, `expected PLATFORM:MAJOR:MINOR (0-7, 0-255, 0-255) after ${key}=, not "${value}"`);
  }
  return { key, location, platform, major, minor };
}

/** IF-VAL = GUID, with or without braces. */
export function readGuid(value: string, key: string, location: Location): string {
  if (
    /^\{?[0-9A-Fa-f]{8}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{12}\}?$/.test(value) &&
    value.startsWith('{') === value.endsWith('}')
  ) {
    return value;
  }
  return fail(location, `expected an interface GUID after ${key}=, not "${value}"`);
}
