/**
 * `--tcp-flags MASK COMP` as the kernel has it: (flags & MASK) == COMP, COMP not masked, so a
 * COMP with a flag outside MASK matches no packet and its negation every TCP packet.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parseIptablesSave } from '../../parsers/iptables-parser/src';
import { ruleMatch } from '../../src/normalize/iptables/matches';
import { InterfaceUniverse } from '../../src/model/policy';
import { PacketSet, Ranges, TcpFlag } from '../../src/packetset';
import { compile, filterTable, trace } from '../helpers/programs';

function flagsMatched(options: string): PacketSet {
  const ruleset = parseIptablesSave(`*filter\n-A INPUT -p tcp -m tcp ${options}\nCOMMIT\n`);
  const rule = ruleset.tables[0].chains[0].rules[0];
  const { match } = ruleMatch(rule, { family: 4, table: 'filter', interfaces: new InterfaceUniverse([]) });
  assert.ok(match.surely.equals(match.may), 'tcp flags are decided');
  return match.surely;
}

const tcp = PacketSet.full(4).restrict('proto', Ranges.point(6n));
const withFlags = (...values: number[]): PacketSet =>
  tcp.restrict('tcpflags', Ranges.fromIntervals(values.map((v) => [BigInt(v), BigInt(v)] as const)));

describe('--tcp-flags', () => {
  it('a comparison with a flag outside the mask matches nothing; negated, every TCP packet', () => {
    assert.ok(flagsMatched('--tcp-flags SYN,ACK SYN,FIN').isEmpty());
    assert.ok(flagsMatched('--tcp-flags NONE SYN').isEmpty());
    assert.ok(flagsMatched('! --tcp-flags SYN,ACK SYN,FIN').equals(tcp));
  });

  it('a comparison inside the mask matches exactly the flag bytes that agree with it under the mask', () => {
    const { SYN, ACK, FIN, RST } = TcpFlag;
    const synOnly = flagsMatched('--tcp-flags SYN,ACK SYN');
    assert.ok(synOnly.contains({ ...point(), tcpflags: SYN }));
    assert.ok(synOnly.contains({ ...point(), tcpflags: SYN | FIN }));
    assert.ok(!synOnly.contains({ ...point(), tcpflags: SYN | ACK }));
    assert.ok(flagsMatched('--tcp-flags ALL NONE').equals(withFlags(0, 64, 128, 192)));
    assert.ok(flagsMatched('--tcp-flags syn,rst syn,rst').equals(flagsMatched('--tcp-flags SYN,RST SYN,RST')));
    assert.ok(!flagsMatched('--syn').contains({ ...point(), tcpflags: SYN | RST }));
  });

  it('a SYN probe: SYN,ACK SYN,FIN never matches, its negation always', () => {
    const rules = [
      '-A INPUT -p tcp -m tcp --tcp-flags SYN,ACK SYN,FIN -j ACCEPT',
      '-A INPUT -p tcp -m tcp ! --tcp-flags SYN,ACK FIN -j REJECT',
    ];
    const program = compile(filterTable({ INPUT: 'DROP' }, rules));
    const result = trace(program, { from: '192.0.2.1', to: '198.51.100.1', proto: 'tcp', dport: 22, in: 'eth0' });
    assert.equal(result.verdict, 'reject');
    assert.equal(result.decidedBy?.line, 6);
  });
});

function point() {
  return { family: 4 as const, src: 1n, dst: 2n, proto: 6, sport: 40000, dport: 22, icmp: 0, tcpflags: 0, iif: 1, oif: 0, state: 0 };
}
