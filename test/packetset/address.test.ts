import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import * as net from 'node:net';
import fc from 'fast-check';
import {
  PacketSet,
  Ranges,
  describeCount,
  formatAddress,
  formatRanges,
  parseAddress,
  parseNetwork,
  type Family,
} from '../../src/packetset';

const V4_MAX = 2n ** 32n - 1n;
const V6_MAX = 2n ** 128n - 1n;
const v4Value = fc.bigInt({ min: 0n, max: V4_MAX });
/** IPv6 values built from groups that are often zero, so that runs of zero groups of every length occur. */
const v6Value = fc
  .array(fc.oneof(fc.constant(0), fc.constant(0), fc.integer({ min: 0, max: 0xffff })), { minLength: 8, maxLength: 8 })
  .map((groups) => groups.reduce((v, g) => (v << 16n) | BigInt(g), 0n));
const anyV6 = fc.oneof(v6Value, fc.bigInt({ min: 0n, max: V6_MAX }));

function v4(text: string): bigint {
  const parsed = parseAddress(text);
  assert.equal(parsed?.family, 4, text);
  return parsed!.value;
}

function v6(text: string): bigint {
  const parsed = parseAddress(text);
  assert.equal(parsed?.family, 6, text);
  return parsed!.value;
}

function networkOf(text: string): { family: Family; intervals: readonly (readonly [bigint, bigint])[] } | undefined {
  const parsed = parseNetwork(text);
  return parsed && { family: parsed.family, intervals: parsed.ranges.intervals };
}

describe('parseAddress and formatAddress', () => {
  it('round-trip IPv4 and agree with node:net', () => {
    fc.assert(
      fc.property(v4Value, (v) => {
        const text = formatAddress(4, v);
        assert.equal(net.isIPv4(text), true);
        assert.deepEqual(parseAddress(text), { family: 4, value: v });
      }),
    );
  });

  it('round-trip IPv6 in RFC 5952 form, as the WHATWG URL serializer writes it (mixed notation for IPv4-mapped)', () => {
    fc.assert(
      fc.property(anyV6, (v) => {
        const text = formatAddress(6, v);
        assert.deepEqual(parseAddress(text), { family: 6, value: v });
        if (v >> 32n === 0xffffn) {
          assert.equal(text, `::ffff:${formatAddress(4, v & V4_MAX)}`);
        } else {
          assert.equal(`[${text}]`, new URL(`http://[${text}]/`).hostname);
          assert.equal(`[${text}]`, new URL(`http://[${uncompressed(v)}]/`).hostname);
        }
      }),
    );
  });

  it('parse every spelling of an IPv6 address: any compression, case, leading zeros, embedded IPv4', () => {
    const spelling = fc.record({
      value: v6Value,
      upper: fc.boolean(),
      padded: fc.boolean(),
      dotted: fc.boolean(),
      compress: fc.nat(),
    });
    fc.assert(
      fc.property(spelling, ({ value, upper, padded, dotted, compress }) => {
        const groups = Array.from({ length: 8 }, (_, i) => Number((value >> BigInt(112 - 16 * i)) & 0xffffn));
        let parts = groups.map((g) => g.toString(16).padStart(padded ? 4 : 1, '0'));
        if (dotted) parts = [...parts.slice(0, 6), formatAddress(4, value & V4_MAX)];
        // Compress one run of zero groups (of length 1 or more) if there is one.
        const zeroStarts = parts.map((p, i) => (/^0+$/.test(p) ? i : -1)).filter((i) => i >= 0);
        let text = parts.join(':');
        if (zeroStarts.length > 0) {
          const start = zeroStarts[compress % zeroStarts.length]!;
          let end = start;
          while (end + 1 < parts.length && /^0+$/.test(parts[end + 1]!)) end++;
          text = `${parts.slice(0, start).join(':')}::${parts.slice(end + 1).join(':')}`;
        }
        if (upper) text = text.toUpperCase();
        assert.equal(net.isIPv6(text), true, text);
        assert.deepEqual(parseAddress(text), { family: 6, value }, text);
      }),
    );
  });

  it('accept exactly what node:net accepts, on addresses with a few characters changed', () => {
    const char = fc.constantFrom(...'0123456789abcdefABCDEF:.');
    const edit = fc.tuple(fc.nat(), fc.constantFrom('insert', 'delete', 'replace'), char);
    const address = fc.oneof(
      v4Value.map((v) => formatAddress(4, v)),
      anyV6.map((v) => formatAddress(6, v)),
      fc.string({ unit: char, maxLength: 12 }),
    );
    const mangled = fc.tuple(address, fc.array(edit, { maxLength: 3 })).map(([text, edits]) =>
      edits.reduce((t, [at, kind, c]) => {
        const i = at % (t.length + 1);
        return kind === 'insert'
          ? t.slice(0, i) + c + t.slice(i)
          : kind === 'delete'
            ? t.slice(0, i) + t.slice(i + 1)
            : t.slice(0, i) + c + t.slice(i + 1);
      }, text),
    );
    fc.assert(
      fc.property(mangled, (t) => {
        assert.equal(parseAddress(t)?.family ?? 0, net.isIP(t), t);
      }),
      { numRuns: 3000 },
    );
  });

  it('examples', () => {
    assert.equal(v4('192.0.2.1'), 0xc0000201n);
    assert.equal(v6('2001:db8::1'), (0x20010db8n << 96n) | 1n);
    assert.equal(v6('::ffff:1.2.3.4'), (0xffffn << 32n) | 0x01020304n);
    assert.equal(formatAddress(6, v6('2001:0DB8:0000:0000:0001:0000:0000:0001')), '2001:db8::1:0:0:1');
    assert.equal(formatAddress(6, v6('2001:db8:0:1:1:1:1:1')), '2001:db8:0:1:1:1:1:1');
    assert.equal(formatAddress(6, v6('2001:0:0:1:0:0:0:1')), '2001:0:0:1::1');
    assert.equal(formatAddress(6, 0n), '::');
    assert.equal(formatAddress(6, 1n), '::1');
    assert.equal(formatAddress(6, (V6_MAX << 16n) & V6_MAX), 'ffff:ffff:ffff:ffff:ffff:ffff:ffff:0');
    assert.equal(formatAddress(6, v6('::ffff:c000:0201')), '::ffff:192.0.2.1');
    assert.equal(formatAddress(4, V4_MAX), '255.255.255.255');
    assert.throws(() => formatAddress(4, V4_MAX + 1n), RangeError);
    assert.throws(() => formatAddress(6, -1n), RangeError);
    for (const bad of [
      '',
      '1.2.3',
      '1.2.3.4.5',
      '256.0.0.1',
      '01.2.3.4',
      '1.2.3.4 ',
      '1::2::3',
      '12345::',
      ':1::',
      '1:2:3:4:5:6:7:8:9',
      '1:2:3:4:5:6:7::8',
      '::ffff:1.2.3.256',
      '::1.2.3.4:5',
      'fe80::1%eth0',
      'g::1',
    ]) {
      assert.equal(parseAddress(bad), undefined, bad);
    }
  });
});

describe('parseNetwork', () => {
  it('a/len is the block around a, as node:net BlockList sees it', () => {
    const block = fc.oneof(
      fc.record({ family: fc.constant<Family>(4), value: v4Value, length: fc.integer({ min: 0, max: 32 }) }),
      fc.record({ family: fc.constant<Family>(6), value: anyV6, length: fc.integer({ min: 0, max: 128 }) }),
    );
    fc.assert(
      fc.property(block, fc.array(fc.bigInt({ min: 0n, max: V6_MAX }), { maxLength: 4 }), ({ family, value, length }, probes) => {
        const bits = family === 4 ? 32n : 128n;
        const text = `${formatAddress(family, value)}/${length}`;
        const parsed = parseNetwork(text)!;
        const size = 1n << (bits - BigInt(length));
        const lo = (value / size) * size;
        assert.equal(parsed.family, family);
        assert.deepEqual(parsed.ranges.intervals, [[lo, lo + size - 1n]]);
        const list = new net.BlockList();
        list.addSubnet(formatAddress(family, lo), length, family === 4 ? 'ipv4' : 'ipv6');
        for (const probe of [...probes.map((p) => p >> (128n - bits)), value, lo, lo + size - 1n, lo - 1n, lo + size]) {
          if (probe < 0n || probe >> bits !== 0n) continue;
          assert.equal(
            parsed.ranges.contains(probe),
            list.check(formatAddress(family, probe), family === 4 ? 'ipv4' : 'ipv6'),
            `${text} ∋ ${formatAddress(family, probe)}`,
          );
        }
        // The mask written as an address means the same.
        const mask = ((1n << bits) - 1n) ^ (size - 1n);
        assert.deepEqual(parseNetwork(`${formatAddress(family, value)}/${formatAddress(family, mask)}`), parsed);
      }),
    );
  });

  it('a non-contiguous mask matches the addresses that agree with a where the mask has ones', () => {
    // Masks with up to 8 zero bits above their lowest one bit, so the intervals stay few enough to enumerate.
    const mask = fc
      .tuple(fc.integer({ min: 0, max: 31 }), fc.array(fc.integer({ min: 0, max: 31 }), { maxLength: 8 }))
      .map(([low, holes]) => holes.reduce((m, bit) => (bit > low ? m & ~(1n << BigInt(bit)) : m), V4_MAX ^ ((1n << BigInt(low)) - 1n)));
    fc.assert(
      fc.property(v4Value, mask, fc.array(v4Value, { maxLength: 8 }), (value, m, probes) => {
        const text = `${formatAddress(4, value)}/${formatAddress(4, m)}`;
        const { ranges } = parseNetwork(text)!;
        assert.equal(ranges.size(), 1n << BigInt(32 - m.toString(2).replaceAll('0', '').length));
        for (const probe of probes) {
          assert.equal(ranges.contains(probe), (probe & m) === (value & m), `${text} ∋ ${formatAddress(4, probe)}`);
          const matching = (value & m) | (probe & ~m & V4_MAX);
          assert.ok(ranges.contains(matching), `${text} ∋ ${formatAddress(4, matching)}`);
        }
      }),
    );
  });

  it('examples', () => {
    assert.deepEqual(networkOf('192.0.2.7'), { family: 4, intervals: [[v4('192.0.2.7'), v4('192.0.2.7')]] });
    assert.deepEqual(networkOf('192.0.2.7/24'), { family: 4, intervals: [[v4('192.0.2.0'), v4('192.0.2.255')]] });
    assert.deepEqual(networkOf('192.0.2.0/255.255.255.0'), networkOf('192.0.2.0/24'));
    assert.deepEqual(networkOf('0/0'), { family: 4, intervals: [[0n, V4_MAX]] });
    assert.deepEqual(networkOf('10.0.0.0/255.0.255.0')?.intervals.slice(0, 2), [
      [v4('10.0.0.0'), v4('10.0.0.255')],
      [v4('10.1.0.0'), v4('10.1.0.255')],
    ]);
    assert.equal(parseNetwork('10.0.0.0/255.0.255.0')!.ranges.intervals.length, 256);
    assert.deepEqual(networkOf('10.0.0.1/255.255.255.254'), { family: 4, intervals: [[v4('10.0.0.0'), v4('10.0.0.1')]] });
    assert.deepEqual(networkOf('192.0.2.5-192.0.2.9'), { family: 4, intervals: [[v4('192.0.2.5'), v4('192.0.2.9')]] });
    assert.deepEqual(networkOf('192.0.2.9-192.0.2.5'), { family: 4, intervals: [] });
    assert.deepEqual(networkOf('2001:db8::/32'), {
      family: 6,
      intervals: [[v6('2001:db8::'), v6('2001:db8:ffff:ffff:ffff:ffff:ffff:ffff')]],
    });
    assert.deepEqual(networkOf('2001:db8::/ffff:ffff::'), networkOf('2001:db8::/32'));
    assert.deepEqual(networkOf('2001:db8::1-2001:db8::5'), { family: 6, intervals: [[v6('2001:db8::1'), v6('2001:db8::5')]] });
    assert.deepEqual(networkOf('::/0'), { family: 6, intervals: [[0n, V6_MAX]] });
    // 0.0.0.1 as a mask leaves 31 free bits: 2^31 intervals would be needed.
    for (const bad of [
      '10.0.0.0/33',
      '10.0.0.0/024',
      '10.0.0.0/-1',
      '10.0.0.0/',
      '/8',
      '10.0.0.0/255.0.0',
      '1.2.3.4-::1',
      '2001:db8::/129',
      '2001:db8::/255.255.0.0',
      '10.0.0.0/8/8',
      '1.2.3.4-',
      '0.0.0.0/0.0.0.1',
    ]) {
      assert.equal(parseNetwork(bad), undefined, bad);
    }
  });
});

describe('formatRanges', () => {
  const family = fc.constantFrom<Family>(4, 6);
  /** Intervals with random ends, and aligned blocks, which must come out as CIDRs. */
  const interval = (f: Family) =>
    fc.oneof(
      fc.tuple(fc.bigInt({ min: 0n, max: f === 4 ? V4_MAX : V6_MAX }), fc.bigInt({ min: 0n, max: f === 4 ? V4_MAX : V6_MAX })),
      fc
        .tuple(fc.bigInt({ min: 0n, max: f === 4 ? V4_MAX : V6_MAX }), fc.integer({ min: 0, max: f === 4 ? 32 : 128 }))
        .map(([v, hostBits]) => {
          const size = 1n << BigInt(hostBits);
          const lo = (v / size) * size;
          return [lo, lo + size - 1n] as [bigint, bigint];
        }),
    );
  const ranges = family.chain((f) =>
    fc.array(interval(f), { maxLength: 5 }).map((list) => ({ family: f, ranges: Ranges.fromIntervals(list) })),
  );

  it('one item per interval (the fewest possible), each parsing back to exactly its interval', () => {
    fc.assert(
      fc.property(ranges, ({ family: f, ranges: r }) => {
        const items = formatRanges(f, r);
        assert.equal(items.length, r.intervals.length);
        items.forEach((item, i) => {
          const [lo, hi] = r.intervals[i]!;
          const parsed = parseNetwork(item)!;
          assert.equal(parsed.family, f, item);
          assert.deepEqual(parsed.ranges.intervals, [[lo, hi]], item);
          const size = hi - lo + 1n;
          const aligned = (size & (size - 1n)) === 0n && lo % size === 0n;
          assert.equal(item.includes('/'), aligned && size > 1n, `${item} should ${aligned ? '' : 'not '}be a CIDR`);
          assert.equal(item.includes('-'), !aligned, item);
        });
      }),
    );
  });

  it('examples', () => {
    const slash24 = parseNetwork('192.0.2.0/24')!.ranges;
    const outside = PacketSet.full(4).restrict('dst', slash24).complement();
    assert.deepEqual(formatRanges(4, outside.project('dst', 4)), ['0.0.0.0-192.0.1.255', '192.0.3.0-255.255.255.255']);
    assert.deepEqual(formatRanges(6, outside.project('dst', 6)), ['::/0']);
    assert.deepEqual(formatRanges(4, Ranges.of(0n, V4_MAX)), ['0.0.0.0/0']);
    assert.deepEqual(formatRanges(4, Ranges.EMPTY), []);
    assert.deepEqual(
      formatRanges(
        4,
        Ranges.fromIntervals([
          [v4('10.0.0.0'), v4('10.255.255.255')],
          [v4('192.0.2.5'), v4('192.0.2.9')],
          [v4('192.0.2.11'), v4('192.0.2.11')],
        ]),
      ),
      ['10.0.0.0/8', '192.0.2.5-192.0.2.9', '192.0.2.11'],
    );
    const docs = parseNetwork('2001:db8::/32')!.ranges;
    assert.deepEqual(formatRanges(6, docs), ['2001:db8::/32']);
    assert.deepEqual(formatRanges(6, Ranges.of(0n, V6_MAX).subtract(docs)), [
      '::-2001:db7:ffff:ffff:ffff:ffff:ffff:ffff',
      '2001:db9::-ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff',
    ]);
    assert.deepEqual(formatRanges(6, parseNetwork('::ffff:0:0/96')!.ranges), ['::ffff:0.0.0.0/96']);
    assert.deepEqual(formatRanges(6, parseNetwork('fe80::1-fe80::2')!.ranges), ['fe80::1-fe80::2']);
  });
});

describe('describeCount', () => {
  it('groups digits below 2^48 and writes powers of two above', () => {
    assert.equal(describeCount(0n), '0');
    assert.equal(describeCount(1n), '1');
    assert.equal(describeCount(999n), '999');
    assert.equal(describeCount(1000n), '1,000');
    assert.equal(describeCount(65536n), '65,536');
    assert.equal(describeCount(2n ** 32n), '4,294,967,296');
    assert.equal(describeCount(2n ** 48n - 1n), '281,474,976,710,655');
    assert.equal(describeCount(2n ** 48n), '2^48');
    assert.equal(describeCount(2n ** 96n), '2^96');
    assert.equal(describeCount(3n * 2n ** 100n), '~2^101.6');
    assert.equal(describeCount(2n ** 128n - 1n), '~2^128');
    assert.throws(() => describeCount(-1n), RangeError);
  });
});

/** The eight groups of v, full width: the input the URL parser compresses on its own. */
function uncompressed(v: bigint): string {
  return Array.from({ length: 8 }, (_, i) => ((v >> BigInt(112 - 16 * i)) & 0xffffn).toString(16).padStart(4, '0')).join(':');
}
