/** IPv4 and IPv6 address text, checked as MS-GPFAS 2.2.2.9–2.2.2.12 reads it. */

/** ADDRV4 = 1*3DIGIT "." 1*3DIGIT "." 1*3DIGIT "." 1*3DIGIT, each at most 255. */
export function ipv4Value(text: string): number | undefined {
  const parts = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/.exec(text);
  if (!parts) return undefined;
  let value = 0;
  for (const part of parts.slice(1)) {
    const octet = Number(part);
    if (octet > 255) return undefined;
    value = value * 256 + octet;
  }
  return value;
}

/** An IPv6 address in RFC 4291 §2.2 text form (`::` at most once, a dotted IPv4 tail allowed, no zone). */
export function ipv6Value(text: string): bigint | undefined {
  if (text.length > 45 || !/^[0-9A-Fa-f:.]+$/.test(text)) return undefined;
  let hex = text;
  const lastColon = text.lastIndexOf(':');
  if (text.includes('.')) {
    // The dotted tail is inet_pton's: no leading zeros.
    const dotted = text.slice(lastColon + 1);
    const v4 = /^(0|[1-9]\d{0,2})(\.(0|[1-9]\d{0,2})){3}$/.test(dotted) ? ipv4Value(dotted) : undefined;
    if (v4 === undefined || lastColon < 0) return undefined;
    hex = `${text.slice(0, lastColon + 1)}${(v4 >>> 16).toString(16)}:${(v4 & 0xffff).toString(16)}`;
  }
  const halves = hex.split('::');
  if (halves.length > 2) return undefined;
  const groupsOf = (half: string): string[] | undefined => {
    if (half === '') return [];
    const groups = half.split(':');
    return groups.every((group) => /^[0-9A-Fa-f]{1,4}$/.test(group)) ? groups : undefined;
  };
  const head = groupsOf(halves[0]);
  const tail = halves.length === 2 ? groupsOf(halves[1]) : [];
  if (!head || !tail) return undefined;
  const written = head.length + tail.length;
  if (halves.length === 2 ? written > 7 : written !== 8) return undefined;
  const words = [...head, ...new Array<string>(8 - written).fill('0'), ...tail];
  return words.reduce((value, word) => (value << 16n) | BigInt(parseInt(word, 16)), 0n);
}

/** The prefix length of a contiguous IPv4 mask (255.255.255.0 → 24), or undefined for a non-contiguous one. */
export function ipv4MaskLength(mask: number): number | undefined {
  for (let length = 0; length <= 32; length++) {
    if (mask === (length === 0 ? 0 : (0xffffffff << (32 - length)) >>> 0)) return length;
  }
  return undefined;
}
