import { addressBits, type Family } from './dimensions';
import { Ranges } from './ranges';

/** A mask with more free bits than this above its lowest set bit is refused: 2^16 intervals at most. */
const MAX_MASK_HOLES = 16;

const V6_GROUP = /^[0-9a-fA-F]{1,4}$/;
const DECIMAL = /^(?:0|[1-9]\d*)$/;

/** '192.0.2.1', '2001:db8::1', '::ffff:1.2.3.4'. No leading zeros in IPv4 octets (iptables would read them as octal). */
export function parseAddress(text: string): { family: Family; value: bigint } | undefined {
  if (text.includes(':')) {
    const value = parseV6(text);
    return value === undefined ? undefined : { family: 6, value };
  }
  const value = parseV4(text);
  return value === undefined ? undefined : { family: 4, value };
}

function parseV4(text: string): bigint | undefined {
  const value = parseV4Number(text, 0, text.length);
  return value === undefined ? undefined : BigInt(value);
}

/**
 * The IPv4 address text[start, end) as a number: four decimal octets of at most 255, no leading
 * zeros. Read character by character: it is the most frequent value of a rule set.
 */
function parseV4Number(text: string, start: number, end: number): number | undefined {
  let value = 0;
  let octets = 0;
  let at = start;
  while (octets < 4) {
    const from = at;
    let octet = 0;
    while (at < end) {
      const digit = text.charCodeAt(at) - 48;
      if (digit < 0 || digit > 9) break;
      octet = octet * 10 + digit;
      at++;
    }
    const length = at - from;
    if (length === 0 || length > 3 || octet > 255 || (length > 1 && text.charCodeAt(from) === 48)) return undefined;
    value = value * 256 + octet;
    octets++;
    if (octets < 4) {
      if (at >= end || text.charCodeAt(at) !== 46) return undefined;
      at++;
    }
  }
  return at === end ? value : undefined;
}

function parseV6(text: string): bigint | undefined {
  const halves = text.split('::');
  if (halves.length > 2) return undefined;
  const head = halves[0] === '' ? [] : halves[0]!.split(':');
  const tail = halves.length === 1 || halves[1] === '' ? [] : halves[1]!.split(':');
  // A trailing dotted IPv4 address stands for the last two groups.
  const last = halves.length === 1 ? head : tail;
  if (last.length > 0 && last[last.length - 1]!.includes('.')) {
    const v4 = parseV4(last.pop()!);
    if (v4 === undefined) return undefined;
    last.push((v4 >> 16n).toString(16), (v4 & 0xffffn).toString(16));
  }
  if (![...head, ...tail].every((group) => V6_GROUP.test(group))) return undefined;
  // '::' stands for at least one zero group.
  if (halves.length === 1 ? head.length !== 8 : head.length + tail.length > 7) return undefined;
  const groups = [...head, ...Array<string>(8 - head.length - tail.length).fill('0'), ...tail];
  return groups.reduce((value, group) => (value << 16n) | BigInt(`0x${group}`), 0n);
}

/**
 * The addresses that `text` matches, as iptables reads it: 'a', 'a/len', 'a/mask' with the
 * mask written as an address (a non-contiguous mask gives several intervals), or 'a-b'
 * (empty when a > b, like iprange). Host bits of 'a' are ignored as iptables does; '0/0' is
 * the whole IPv4 space. Undefined when malformed, or when a mask would need more than
 * 2^16 intervals.
 */
export function parseNetwork(text: string): { family: Family; ranges: Ranges } | undefined {
  return parseV4Network(text) ?? parseAnyNetwork(text);
}

/** 'a', 'a/len' and 'a-b' of IPv4 in numbers; undefined for anything else (parseAnyNetwork decides). */
function parseV4Network(text: string): { family: Family; ranges: Ranges } | undefined {
  const slash = text.indexOf('/');
  const dash = text.indexOf('-');
  if (dash >= 0) {
    if (slash >= 0) return undefined;
    const lo = parseV4Number(text, 0, dash);
    const hi = lo === undefined ? undefined : parseV4Number(text, dash + 1, text.length);
    return hi === undefined ? undefined : { family: 4, ranges: Ranges.ofNumbers(lo!, hi) };
  }
  const address = parseV4Number(text, 0, slash < 0 ? text.length : slash);
  if (address === undefined) return undefined;
  if (slash < 0) return { family: 4, ranges: Ranges.ofNumbers(address, address) };
  const length = text.length - slash - 1;
  if (length < 1 || length > 2) return undefined;
  let prefix = 0;
  for (let at = slash + 1; at < text.length; at++) {
    const digit = text.charCodeAt(at) - 48;
    if (digit < 0 || digit > 9) return undefined;
    prefix = prefix * 10 + digit;
  }
  if (prefix > 32 || (length === 2 && text.charCodeAt(slash + 1) === 48)) return undefined;
  const size = 2 ** (32 - prefix);
  const lo = Math.floor(address / size) * size;
  return { family: 4, ranges: Ranges.ofNumbers(lo, lo + size - 1) };
}

function parseAnyNetwork(text: string): { family: Family; ranges: Ranges } | undefined {
  const dash = text.indexOf('-');
  if (dash >= 0) {
    const lo = parseAddress(text.slice(0, dash));
    const hi = parseAddress(text.slice(dash + 1));
    if (lo === undefined || hi === undefined || lo.family !== hi.family) return undefined;
    return { family: lo.family, ranges: Ranges.of(lo.value, hi.value) };
  }
  const slash = text.indexOf('/');
  if (slash < 0) {
    const address = parseAddress(text);
    return address === undefined ? undefined : { family: address.family, ranges: Ranges.point(address.value) };
  }
  const addressText = text.slice(0, slash);
  const maskText = text.slice(slash + 1);
  const address = addressText === '0' ? { family: 4 as const, value: 0n } : parseAddress(addressText);
  if (address === undefined) return undefined;
  const bits = addressBits(address.family);
  let mask: bigint;
  if (DECIMAL.test(maskText)) {
    const length = Number(maskText);
    if (length > bits) return undefined;
    mask = prefixMask(bits, length);
  } else {
    const written = parseAddress(maskText);
    if (written === undefined || written.family !== address.family) return undefined;
    mask = written.value;
  }
  const ranges = maskedRanges(bits, address.value, mask);
  return ranges === undefined ? undefined : { family: address.family, ranges };
}

function prefixMask(bits: number, length: number): bigint {
  const all = (1n << BigInt(bits)) - 1n;
  return all ^ ((1n << BigInt(bits - length)) - 1n);
}

/** The values x with x & mask == value & mask. */
function maskedRanges(bits: number, value: bigint, mask: bigint): Ranges | undefined {
  const base = value & mask;
  // The zero bits below the lowest set bit of the mask make each interval; every other zero bit doubles their number.
  let blockBits = 0;
  while (blockBits < bits && ((mask >> BigInt(blockBits)) & 1n) === 0n) blockBits++;
  const holes: bigint[] = [];
  for (let bit = blockBits; bit < bits; bit++) if (((mask >> BigInt(bit)) & 1n) === 0n) holes.push(1n << BigInt(bit));
  if (holes.length > MAX_MASK_HOLES) return undefined;
  const blockSize = 1n << BigInt(blockBits);
  const intervals: [bigint, bigint][] = [];
  for (let combination = 0; combination < 1 << holes.length; combination++) {
    let start = base;
    holes.forEach((hole, n) => {
      if ((combination >> n) & 1) start |= hole;
    });
    intervals.push([start, start + blockSize - 1n]);
  }
  return Ranges.fromIntervals(intervals);
}

/** Dotted quad for IPv4; RFC 5952 for IPv6, with dotted quad for IPv4-mapped addresses (section 5). */
export function formatAddress(family: Family, v: bigint): string {
  if (v < 0n || v >> BigInt(addressBits(family)) !== 0n) throw new RangeError(`${v} is not an IPv${family} address`);
  if (family === 4) return formatV4(v);
  if (v >> 32n === 0xffffn) return `::ffff:${formatV4(v & 0xffffffffn)}`;
  const groups = Array.from({ length: 8 }, (_, i) => Number((v >> BigInt(112 - 16 * i)) & 0xffffn));
  // The longest run of two or more zero groups becomes '::'; the first one when tied.
  let runStart = -1;
  let runLength = 1;
  for (let i = 0; i < 8;) {
    let j = i;
    while (j < 8 && groups[j] === 0) j++;
    if (j - i > runLength) [runStart, runLength] = [i, j - i];
    i = j === i ? i + 1 : j;
  }
  const hex = (list: number[]) => list.map((g) => g.toString(16)).join(':');
  if (runStart < 0) return hex(groups);
  return `${hex(groups.slice(0, runStart))}::${hex(groups.slice(runStart + runLength))}`;
}

function formatV4(v: bigint): string {
  return [24n, 16n, 8n, 0n].map((shift) => ((v >> shift) & 0xffn).toString()).join('.');
}

/**
 * The shortest list of items whose union is exactly r, in ascending order: every interval
 * of r needs an item of its own, and is written as one address, one CIDR block, or 'a-b'.
 */
export function formatRanges(family: Family, r: Ranges): string[] {
  const bits = addressBits(family);
  return r.intervals.map(([lo, hi]) => {
    if (lo === hi) return formatAddress(family, lo);
    const size = hi - lo + 1n;
    const hostBits = size.toString(2).length - 1;
    if (size === 1n << BigInt(hostBits) && lo % size === 0n) return `${formatAddress(family, lo)}/${bits - hostBits}`;
    return `${formatAddress(family, lo)}-${formatAddress(family, hi)}`;
  });
}

/** Counts at or above this are written as powers of two. */
const POWER_NOTATION_FROM = 1n << 48n;

/** '1', '65,536', '4,294,967,296'; from 2^48 on '2^96', or '~2^95.6' when not a power of two. */
export function describeCount(n: bigint): string {
  if (n < 0n) throw new RangeError(`negative count ${n}`);
  if (n < POWER_NOTATION_FROM) return n.toString().replace(/\B(?=(\d{3})+$)/g, ',');
  const exponent = n.toString(2).length - 1;
  if (n === 1n << BigInt(exponent)) return `2^${exponent}`;
  // Scale down to a double-precision mantissa to take the logarithm.
  const shift = BigInt(exponent - 52);
  const log2 = Math.log2(Number(n >> shift)) + Number(shift);
  return `~2^${Number(log2.toFixed(1))}`;
}
