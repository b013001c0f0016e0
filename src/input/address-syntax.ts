/**
 * The syntax of the addresses a deployment gives (role addresses, host addresses, the networks
 * behind an interface): an IPv4 or IPv6 address, a CIDR network, or a range a-b. Only the syntax
 * is checked here; the packet-set library turns the text into sets.
 */

interface ParsedAddress {
  family: 4 | 6;
  value: bigint;
}

const EXPECTED = 'expected an IPv4 or IPv6 address, a CIDR network (a.b.c.d/n, x::/n) or a range a-b';

/** Why `text` is not an address, a CIDR network or a range a-b; undefined when it is one. */
export function addressError(text: string): string | undefined {
  if (text === '') return EXPECTED;
  if (/\s/.test(text)) return `'${text}' contains a space; ${EXPECTED}, without spaces`;
  const dash = text.indexOf('-');
  if (dash >= 0) return rangeError(text, text.slice(0, dash), text.slice(dash + 1));
  const slash = text.indexOf('/');
  if (slash >= 0) return cidrError(text, text.slice(0, slash), text.slice(slash + 1));
  const parsed = parseAddress(text);
  return typeof parsed === 'string' ? parsed : undefined;
}

function rangeError(text: string, firstText: string, lastText: string): string | undefined {
  const first = parseAddress(firstText);
  if (typeof first === 'string') return `in range '${text}': ${first}`;
  const last = parseAddress(lastText);
  if (typeof last === 'string') return `in range '${text}': ${last}`;
  if (first.family !== last.family) return `range '${text}' mixes IPv4 and IPv6`;
  if (first.value > last.value) return `range '${text}' is reversed: its first address is greater than its last`;
  return undefined;
}

function cidrError(text: string, addressText: string, prefixText: string): string | undefined {
  const address = parseAddress(addressText);
  if (typeof address === 'string') return `in network '${text}': ${address}`;
  const maxPrefix = address.family === 4 ? 32 : 128;
  if (!/^[0-9]{1,3}$/.test(prefixText)) return `network '${text}': expected a prefix length 0-${maxPrefix} after '/'`;
  if (Number(prefixText) > maxPrefix) {
    return `network '${text}': prefix length ${prefixText} is out of range 0-${maxPrefix}`;
  }
  return undefined;
}

/** The address, or why it is not one. */
function parseAddress(text: string): ParsedAddress | string {
  if (text.includes(':')) {
    const value = parseIPv6(text);
    return typeof value === 'string' ? `'${text}' is not an IPv6 address: ${value}` : { family: 6, value };
  }
  if (/^[0-9.]+$/.test(text)) {
    const value = parseIPv4(text);
    return typeof value === 'string' ? `'${text}' is not an IPv4 address: ${value}` : { family: 4, value };
  }
  return `${EXPECTED}, got '${text}'`;
}

function parseIPv4(text: string): bigint | string {
  const octets = text.split('.');
  if (octets.length !== 4 || octets.some((octet) => !/^[0-9]{1,3}$/.test(octet))) {
    return 'expected four numbers 0-255 separated by dots';
  }
  let value = 0n;
  for (const octet of octets) {
    // inet_aton and some firewalls read a leading zero as octal: refuse the ambiguity.
    if (octet.length > 1 && octet.startsWith('0')) return `${octet} has a leading zero`;
    if (Number(octet) > 255) return `${octet} is greater than 255`;
    value = (value << 8n) | BigInt(octet);
  }
  return value;
}

function parseIPv6(text: string): bigint | string {
  if (text.includes('%')) return 'zone ids (%…) are not supported';
  const halves = text.split('::');
  if (halves.length > 2) return "'::' appears more than once";
  const groups = (part: string): string[] => (part === '' ? [] : part.split(':'));
  let words: number[];
  if (halves.length === 1) {
    const all = wordsOf(groups(text), true);
    if (typeof all === 'string') return all;
    if (all.length !== 8) return `expected 8 groups of hex digits, got ${all.length}`;
    words = all;
  } else {
    const head = wordsOf(groups(halves[0]), false);
    if (typeof head === 'string') return head;
    const tail = wordsOf(groups(halves[1]), true);
    if (typeof tail === 'string') return tail;
    if (head.length + tail.length > 7) return "too many groups for '::' to stand for any";
    words = [...head, ...new Array<number>(8 - head.length - tail.length).fill(0), ...tail];
  }
  return words.reduce((value, word) => (value << 16n) | BigInt(word), 0n);
}

/** The 16-bit words of colon-separated groups; the last group of an address may be dotted IPv4. */
function wordsOf(groups: string[], endsAddress: boolean): number[] | string {
  const words: number[] = [];
  for (const [index, group] of groups.entries()) {
    if (endsAddress && index === groups.length - 1 && group.includes('.')) {
      const embedded = parseIPv4(group);
      if (typeof embedded === 'string') return `embedded IPv4 '${group}': ${embedded}`;
      words.push(Number(embedded >> 16n), Number(embedded & 0xffffn));
    } else if (/^[0-9a-fA-F]{1,4}$/.test(group)) {
      words.push(parseInt(group, 16));
    } else {
      return group === '' ? "empty group (a lone ':')" : `group '${group}' is not 1-4 hex digits`;
    }
  }
  return words;
}
