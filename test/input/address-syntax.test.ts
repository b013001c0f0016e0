import * as assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { addressError } from '../../src/input';

const VALID = [
  '192.0.2.1',
  '0.0.0.0',
  '255.255.255.255',
  '10.20.0.0/16',
  '0.0.0.0/0',
  '10.20.0.5/16', // host bits set: the network, as iptables reads it
  '198.51.100.21-198.51.100.23',
  '198.51.100.21-198.51.100.21',
  '2001:db8::1',
  '::',
  '::1',
  '1:2:3:4:5:6:7:8',
  '1:2:3:4:5:6:7::',
  '2001:DB8::/32',
  '::/0',
  '::ffff:192.0.2.1',
  '2001:db8::1-2001:db8::ff',
];

const INVALID: [text: string, message: string][] = [
  ['10.0.0.300', "'10.0.0.300' is not an IPv4 address: 300 is greater than 255"],
  ['10.0.0', "'10.0.0' is not an IPv4 address: expected four numbers 0-255 separated by dots"],
  ['10.0.0.1.5', "'10.0.0.1.5' is not an IPv4 address: expected four numbers 0-255 separated by dots"],
  ['10.0.0.010', "'10.0.0.010' is not an IPv4 address: 010 has a leading zero"],
  ['10.0.0.0/33', "network '10.0.0.0/33': prefix length 33 is out of range 0-32"],
  ['10.0.0.0/', "network '10.0.0.0/': expected a prefix length 0-32 after '/'"],
  ['10.0.0.0/8/8', "network '10.0.0.0/8/8': expected a prefix length 0-32 after '/'"],
  ['2001:db8::/129', "network '2001:db8::/129': prefix length 129 is out of range 0-128"],
  ['10.0.0.9-10.0.0.1', "range '10.0.0.9-10.0.0.1' is reversed: its first address is greater than its last"],
  ['2001:db8::ff-2001:db8::1', "range '2001:db8::ff-2001:db8::1' is reversed: its first address is greater than its last"],
  ['10.0.0.1-2001:db8::1', "range '10.0.0.1-2001:db8::1' mixes IPv4 and IPv6"],
  ['10.0.0.1-10.0.0.300', "in range '10.0.0.1-10.0.0.300': '10.0.0.300' is not an IPv4 address: 300 is greater than 255"],
  ['10.0.0.1-', "in range '10.0.0.1-': expected an IPv4 or IPv6 address, a CIDR network (a.b.c.d/n, x::/n) or a range a-b, got ''"],
  ['2001:db8::1::2', "'2001:db8::1::2' is not an IPv6 address: '::' appears more than once"],
  ['1:2:3:4:5:6:7:8:9', "'1:2:3:4:5:6:7:8:9' is not an IPv6 address: expected 8 groups of hex digits, got 9"],
  ['1:2:3:4:5:6:7:8::', "'1:2:3:4:5:6:7:8::' is not an IPv6 address: too many groups for '::' to stand for any"],
  ['2001:db8::g', "'2001:db8::g' is not an IPv6 address: group 'g' is not 1-4 hex digits"],
  ['2001:db8:::1', "'2001:db8:::1' is not an IPv6 address: empty group (a lone ':')"],
  ['fe80::1%eth0', "'fe80::1%eth0' is not an IPv6 address: zone ids (%…) are not supported"],
  ['::ffff:192.0.2.300', "'::ffff:192.0.2.300' is not an IPv6 address: embedded IPv4 '192.0.2.300': 300 is greater than 255"],
  ['director', "expected an IPv4 or IPv6 address, a CIDR network (a.b.c.d/n, x::/n) or a range a-b, got 'director'"],
  ['', 'expected an IPv4 or IPv6 address, a CIDR network (a.b.c.d/n, x::/n) or a range a-b'],
  [
    '10.0.0.1 - 10.0.0.2',
    "'10.0.0.1 - 10.0.0.2' contains a space; expected an IPv4 or IPv6 address, a CIDR network (a.b.c.d/n, x::/n) or a range a-b, without spaces",
  ],
];

describe('addressError', () => {
  for (const text of VALID) {
    it(`accepts ${text}`, () => assert.equal(addressError(text), undefined));
  }
  for (const [text, message] of INVALID) {
    it(`refuses ${JSON.stringify(text)}`, () => assert.equal(addressError(text), message));
  }
});
