/**
 * Conntrack matches for packets without a conntrack entry, as Linux 6.18 has them (seen in the
 * kernel's namespaces): in raw, which runs before connection tracking, every packet is INVALID to
 * -m state, -m connmark never matches (even negated), and -m conntrack tests only its state
 * option; elsewhere the same holds for INVALID and UNTRACKED packets.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parseIptablesSave } from '../../parsers/iptables-parser/src';
import { ruleMatch } from '../../src/normalize/iptables/matches';
import { InterfaceUniverse } from '../../src/model/policy';
import { CtState, type Point } from '../../src/packetset';

const interfaces = new InterfaceUniverse(['eth0']);

function decides(table: 'raw' | 'filter', options: string, state: number): boolean | 'unknown' {
  const chain = table === 'raw' ? 'PREROUTING' : 'INPUT';
  const rule = parseIptablesSave(`*${table}\n-A ${chain} ${options}\nCOMMIT\n`).tables[0].chains.find((c) => c.name === chain)!.rules[0];
  const { match } = ruleMatch(rule, { family: 4, table, interfaces });
  const p: Point = {
    family: 4,
    src: 0xc0000201n,
    dst: 0xc6336401n,
    proto: 6,
    sport: 40000,
    dport: 22,
    icmp: 0,
    tcpflags: 2,
    iif: 1,
    oif: 0,
    state,
  };
  if (match.surely.contains(p)) return true;
  return match.may.contains(p) ? 'unknown' : false;
}

describe('conntrack matches without a conntrack entry', () => {
  it('in raw every packet is INVALID to -m state and --ctstate', () => {
    assert.equal(decides('raw', '-m state --state INVALID', CtState.NEW), true);
    assert.equal(decides('raw', '-m state --state NEW', CtState.NEW), false);
    assert.equal(decides('raw', '-m conntrack ! --ctstate NEW,UNTRACKED', CtState.NEW), true);
  });

  it('-m connmark never matches in raw, nor for INVALID or UNTRACKED packets, negated or not', () => {
    for (const options of ['-m connmark --mark 0', '-m connmark ! --mark 1']) {
      assert.equal(decides('raw', options, CtState.NEW), false);
      assert.equal(decides('filter', options, CtState.INVALID), false);
      assert.equal(decides('filter', options, CtState.UNTRACKED), false);
      assert.equal(decides('filter', options, CtState.NEW), true);
    }
  });

  it('-m conntrack tests only its state option for a packet without an entry; without one it is false', () => {
    assert.equal(decides('raw', '-m conntrack --ctorigsrc 192.0.2.0/24', CtState.NEW), false);
    assert.equal(decides('raw', '-m conntrack ! --ctorigsrc 192.0.2.0/24', CtState.NEW), false);
    assert.equal(decides('raw', '-m conntrack --ctstate INVALID --ctorigsrc 203.0.113.0/24', CtState.NEW), true);
    assert.equal(decides('filter', '-m conntrack --ctstate UNTRACKED --ctorigsrc 203.0.113.0/24', CtState.UNTRACKED), true);
    assert.equal(decides('filter', '-m conntrack --ctorigdstport 22', CtState.INVALID), false);
  });

  it("for a new connection's first packet the original tuple is the packet's; for an established one it is not known", () => {
    assert.equal(decides('filter', '-m conntrack --ctorigsrc 192.0.2.0/24 --ctorigdstport 22', CtState.NEW), true);
    assert.equal(decides('filter', '-m conntrack --ctorigsrc 203.0.113.0/24', CtState.NEW), false);
    assert.equal(decides('filter', '-m conntrack --ctorigsrc 192.0.2.0/24', CtState.ESTABLISHED), 'unknown');
  });
});
