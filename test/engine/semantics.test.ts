import { test } from 'node:test';
import assert from 'node:assert/strict';
import { compile, evaluateProbe, filterTable, trace } from '../helpers/programs';
import type { Probe } from '../../src/app/trace';
import type { PolicyProgram } from '../../src/model/policy';

/** Checks the tracer and the set evaluator agree, and returns [verdict, deciding line or null]. */
function verdict(program: PolicyProgram, probe: Probe): [string, number | null] {
  const traced = trace(program, probe);
  const evaluated = evaluateProbe(program, probe);
  assert.equal(evaluated.verdict, traced.verdict, `evaluator and tracer disagree on ${JSON.stringify(probe)}`);
  const tracedLine = traced.decidedBy?.line ?? null;
  const evaluatedLine = evaluated.rule?.source.line ?? null;
  if (traced.verdict !== 'undetermined') assert.equal(evaluatedLine, tracedLine, 'deciding rule differs');
  return [traced.verdict, tracedLine];
}

const web = (dport: number, extra: Partial<Probe> = {}): Probe => ({
  from: '192.0.2.1',
  to: '198.51.100.1',
  proto: 'tcp',
  dport,
  in: 'eth0',
  ...extra,
});

test('first match wins and the policy decides the rest', () => {
  const p = compile(
    filterTable({ INPUT: 'DROP' }, ['-A INPUT -p tcp -m tcp --dport 443 -j ACCEPT', '-A INPUT -p tcp -m tcp --dport 443 -j DROP']),
  );
  assert.deepEqual(verdict(p, web(443)), ['accept', 5]);
  assert.deepEqual(verdict(p, web(80)), ['drop', null]);
  assert.equal(trace(p, web(80)).policy?.source?.line, 2);
});

test('a jump returns at the end of the user chain and on RETURN; goto does not come back', () => {
  const p = compile(
    filterTable(
      { INPUT: 'ACCEPT' },
      [
        '-A INPUT -p tcp -j WEB', // 7
        '-A INPUT -p tcp -m tcp --dport 22 -j DROP', // 8
        '-A INPUT -p udp -g GOTO', // 9
        '-A INPUT -p udp -j DROP', // 10
        '-A WEB -p tcp -m tcp --dport 80 -j RETURN', // 11
        '-A WEB -p tcp -m tcp --dport 443 -j REJECT', // 12
        '-A GOTO -p udp -m udp --dport 53 -j ACCEPT', // 13
      ],
      ['WEB', 'GOTO'],
    ),
  );
  assert.deepEqual(verdict(p, web(80)), ['accept', null], 'RETURN then the INPUT policy');
  assert.deepEqual(verdict(p, web(443)), ['reject', 12]);
  assert.deepEqual(verdict(p, web(22)), ['drop', 8], 'fell off WEB, continued in INPUT');
  assert.deepEqual(verdict(p, { ...web(53), proto: 'udp' }), ['accept', 13]);
  // Falling off a goto'd chain returns from INPUT itself: the policy, not line 10.
  assert.deepEqual(verdict(p, { ...web(54), proto: 'udp' }), ['accept', null]);
});

test('non-terminating targets and rules without a target fall through', () => {
  const p = compile(
    filterTable({ INPUT: 'DROP' }, [
      '-A INPUT -p tcp -j LOG --log-prefix "x "',
      '-A INPUT -p tcp',
      '-A INPUT -p tcp -m tcp --dport 443 -j ACCEPT',
    ]),
  );
  assert.deepEqual(verdict(p, web(443)), ['accept', 7]);
  const steps = trace(p, web(443)).steps.map((s) => [s.line, s.matched, s.action]);
  assert.deepEqual(steps, [
    [5, true, 'continue'],
    [6, true, 'continue'],
    [7, true, 'accept'],
  ]);
});

test('a new connection is not ESTABLISHED; NEW and --syn match it', () => {
  const p = compile(
    filterTable({ INPUT: 'DROP' }, [
      '-A INPUT -m conntrack --ctstate RELATED,ESTABLISHED -j ACCEPT',
      '-A INPUT -p tcp -m tcp --dport 80 -m state --state NEW -j ACCEPT',
      '-A INPUT -p tcp -m tcp --dport 81 ! --syn -j ACCEPT',
      '-A INPUT -p tcp -m tcp --dport 82 --syn -j ACCEPT',
      '-A INPUT -p tcp -m tcp --dport 83 --tcp-flags SYN,ACK ACK -j ACCEPT',
      '-A INPUT -p tcp -m tcp --dport 84 -m conntrack ! --ctstate NEW -j ACCEPT',
    ]),
  );
  assert.deepEqual(verdict(p, web(80)), ['accept', 6]);
  assert.deepEqual(verdict(p, web(81)), ['drop', null]);
  assert.deepEqual(verdict(p, web(82)), ['accept', 8]);
  assert.deepEqual(verdict(p, web(83)), ['drop', null]);
  assert.deepEqual(verdict(p, web(84)), ['drop', null]);
  assert.deepEqual(verdict(p, web(85)), ['drop', null]);
});

test('negation, multiport, iprange and interfaces', () => {
  const p = compile(
    filterTable({ INPUT: 'DROP' }, [
      '-A INPUT ! -s 192.0.2.0/24 -j DROP',
      '-A INPUT -i eth+ -p tcp -m multiport --dports 1000:1002,2000 -j ACCEPT',
      '-A INPUT -p tcp -m iprange ! --src-range 192.0.2.1-192.0.2.9 -m tcp --dport 3000 -j ACCEPT',
      '-A INPUT -p tcp -m tcp ! --dport 0:4000 -j ACCEPT',
    ]),
  );
  assert.deepEqual(verdict(p, { ...web(1001), from: '203.0.113.1' }), ['drop', 5]);
  assert.deepEqual(verdict(p, web(1002)), ['accept', 6]);
  assert.deepEqual(verdict(p, web(2000, { in: 'wlan0' })), ['drop', null]);
  assert.deepEqual(verdict(p, web(3000)), ['drop', null], '192.0.2.1 is inside the negated range');
  assert.deepEqual(verdict(p, web(3000, { from: '192.0.2.10' })), ['accept', 7]);
  assert.deepEqual(verdict(p, web(4001)), ['accept', 8]);
  assert.deepEqual(verdict(p, web(4000)), ['drop', null]);
});

test('the old negation placement means the same as the new one', () => {
  const p = compile(filterTable({ INPUT: 'DROP' }, ['-A INPUT -s ! 192.0.2.0/24 -p tcp -m tcp --dport ! 22 -j ACCEPT']));
  assert.deepEqual(verdict(p, web(80, { from: '203.0.113.5' })), ['accept', 5]);
  assert.deepEqual(verdict(p, web(80)), ['drop', null]);
  assert.deepEqual(verdict(p, web(22, { from: '203.0.113.5' })), ['drop', null]);
});

test('an unmodelled match makes the packets it may match undetermined, and names itself', () => {
  const p = compile(
    filterTable({ INPUT: 'DROP' }, [
      '-A INPUT -p tcp -m tcp --dport 80 -m recent --rcheck --name web -j ACCEPT',
      '-A INPUT -p tcp -m tcp --dport 81 -m limit --limit 5/min -j DROP',
    ]),
  );
  const t = trace(p, web(80));
  assert.equal(t.verdict, 'undetermined');
  assert.match(t.reasons[0].why, /match module "recent" is not modelled/);
  assert.equal(t.reasons[0].rule.line, 5);
  assert.equal(evaluateProbe(p, web(80)).verdict, 'undetermined');
  // Both branches drop: matched (DROP) or not (policy DROP) — decided.
  assert.deepEqual(verdict(p, web(81)), ['drop', null]);
  assert.deepEqual(verdict(p, web(82)), ['drop', null]);
});

test('a mark nobody sets is 0; a mark a rule sets is followed to the rules that read it', () => {
  const unmarked = compile(
    filterTable({ INPUT: 'DROP' }, [
      '-A INPUT -m mark --mark 0x1 -j ACCEPT',
      '-A INPUT -m mark ! --mark 0x1 -p tcp -m tcp --dport 443 -j ACCEPT',
    ]),
  );
  assert.deepEqual(verdict(unmarked, web(80)), ['drop', null]);
  assert.deepEqual(verdict(unmarked, web(443)), ['accept', 6]);
  const marked = compile(
    [
      '*mangle',
      ':PREROUTING ACCEPT [0:0]',
      '-A PREROUTING -p tcp -j MARK --set-xmark 0x1/0xffffffff',
      'COMMIT',
      filterTable({ INPUT: 'DROP' }, ['-A INPUT -m mark --mark 0x1 -j ACCEPT']),
    ].join('\n'),
  );
  assert.deepEqual(verdict(marked, web(80)), ['accept', 9], 'tcp packets were marked 0x1');
  assert.deepEqual(verdict(marked, { ...web(80), proto: 'udp' }), ['drop', null], 'udp packets were not marked');
});

test('raw and mangle drops come before the filter table; the filter rule names the acceptance', () => {
  const p = compile(
    [
      '*raw',
      ':PREROUTING ACCEPT [0:0]',
      ':OUTPUT ACCEPT [0:0]',
      '-A PREROUTING -s 203.0.113.0/24 -j DROP',
      'COMMIT',
      filterTable({ INPUT: 'DROP' }, ['-A INPUT -p tcp -j ACCEPT']),
    ].join('\n'),
  );
  assert.deepEqual(verdict(p, web(80, { from: '203.0.113.9' })), ['drop', 4]);
  assert.deepEqual(verdict(p, web(80)), ['accept', 10]);
});

test('destination NAT makes the packets it rewrites undetermined', () => {
  const p = compile(
    [
      '*nat',
      ':PREROUTING ACCEPT [0:0]',
      ':INPUT ACCEPT [0:0]',
      ':OUTPUT ACCEPT [0:0]',
      ':POSTROUTING ACCEPT [0:0]',
      '-A PREROUTING -p tcp -m tcp --dport 8080 -j DNAT --to-destination 198.51.100.9:80',
      'COMMIT',
      filterTable({}, []),
    ].join('\n'),
  );
  const t = trace(p, web(8080));
  assert.equal(t.verdict, 'undetermined');
  assert.match(t.reasons[0].why, /DNAT rewrites the destination/);
  assert.deepEqual(verdict(p, web(80)), ['accept', null]);
});

test('IPv6 rule sets', () => {
  const p = compile(
    [
      '# Generated by ip6tables-save v1.8.9',
      '*filter',
      ':INPUT DROP [0:0]',
      ':FORWARD DROP [0:0]',
      ':OUTPUT ACCEPT [0:0]',
      '-A INPUT -s 2001:db8:1::/48 -p tcp -m tcp --dport 5061 -j ACCEPT',
      '-A INPUT -p ipv6-icmp -m icmp6 --icmpv6-type 128 -j ACCEPT',
      'COMMIT',
    ].join('\n'),
  );
  assert.equal(p.family, 6);
  assert.deepEqual(verdict(p, { from: '2001:db8:1::5', to: '2001:db8:2::1', proto: 'tcp', dport: 5061 }), ['accept', 6]);
  assert.deepEqual(verdict(p, { from: '2001:db8:3::5', to: '2001:db8:2::1', proto: 'tcp', dport: 5061 }), ['drop', null]);
  assert.deepEqual(verdict(p, { from: '2001:db8:3::5', to: '2001:db8:2::1', proto: 'ipv6-icmp' }), ['accept', 7]);
});

test('FORWARD with in and out interfaces', () => {
  const p = compile(
    filterTable({ FORWARD: 'DROP' }, [
      '-A FORWARD -i eth0 -o eth1 -p tcp -m tcp --dport 443 -j ACCEPT',
      '-A FORWARD -i eth1 ! -o eth0 -j ACCEPT',
    ]),
  );
  assert.deepEqual(verdict(p, { ...web(443), in: 'eth0', out: 'eth1' }), ['accept', 5]);
  assert.deepEqual(verdict(p, { ...web(443), in: 'eth1', out: 'eth0' }), ['drop', null]);
  assert.deepEqual(verdict(p, { ...web(443), in: 'eth1', out: 'eth2' }), ['accept', 6]);
});

test("addrtype: fixed ranges are certain, the host's own addresses are LOCAL when the deployment names them", async () => {
  const { parseIptablesSave } = await import('../../parsers/iptables-parser/src');
  const { normalizeIptables } = await import('../../src/normalize/iptables/normalize');
  const { Ranges, parseNetwork } = await import('../../src/packetset');
  const text = filterTable({ INPUT: 'DROP' }, [
    '-A INPUT -m addrtype --dst-type MULTICAST,BROADCAST -j DROP',
    '-A INPUT -p tcp -m addrtype --dst-type LOCAL -m tcp --dport 443 -j ACCEPT',
    '-A INPUT -p tcp -m addrtype ! --src-type LOCAL -m tcp --dport 80 -j ACCEPT',
  ]);
  const known = normalizeIptables(parseIptablesSave(text), {
    file: 't',
    localAddresses: { 4: parseNetwork('198.51.100.1')!.ranges, 6: Ranges.EMPTY },
  });
  const unknown = compile(text);
  // The host's own address is LOCAL, neither broadcast nor multicast.
  assert.deepEqual(verdict(known, web(443)), ['accept', 6]);
  assert.deepEqual(verdict(known, web(80)), ['accept', 7]);
  assert.deepEqual(verdict(known, web(443, { to: '224.0.0.5' })), ['drop', 5]);
  // Without the host's addresses, a packet addressed to the host still has a LOCAL destination,
  // and one from another host no LOCAL source.
  assert.deepEqual(verdict(unknown, web(443)), ['accept', 6]);
  assert.deepEqual(verdict(unknown, web(80)), ['accept', 7]);
});

test("pkttype: decided for forwarded packets (always unicast), not by the address for the host's own", () => {
  const rules = ['-A FORWARD -m pkttype --pkt-type multicast -j DROP', '-A FORWARD -p tcp -m pkttype --pkt-type unicast -j ACCEPT'];
  const v4 = compile(filterTable({ FORWARD: 'DROP' }, rules));
  assert.deepEqual(verdict(v4, web(443, { to: '239.1.2.3', out: 'eth1' })), ['accept', 6]);
  const input = compile(filterTable({ INPUT: 'DROP' }, ['-A INPUT -m pkttype --pkt-type multicast -j DROP', '-A INPUT -j ACCEPT']));
  const t = trace(input, web(443, { to: '239.1.2.3' }));
  assert.equal(t.verdict, 'undetermined');
  assert.match(t.reasons[0].why, /link-layer multicast frame is not in the rule set/);
  const v6 = compile(['# Generated by ip6tables-save v1.8.9', ...filterTable({ FORWARD: 'DROP' }, rules).split('\n')].join('\n'));
  assert.deepEqual(verdict(v6, { from: '2001:db8::1', to: '2001:db8::2', proto: 'tcp', dport: 443, in: 'eth0', out: 'eth1' }), [
    'accept',
    7,
  ]);
});

test("conntrack tuple options are decided for a new connection's first packet", () => {
  const p = compile(
    filterTable({ INPUT: 'DROP' }, [
      '-A INPUT -m conntrack --ctstate NEW --ctproto tcp --ctorigdstport 443 --ctdir ORIGINAL -j ACCEPT',
      '-A INPUT -m conntrack --ctorigsrc 192.0.2.0/24 ! --ctorigdstport 22 -p tcp -j ACCEPT',
      '-A INPUT -m conntrack --ctdir REPLY -j ACCEPT',
    ]),
  );
  assert.deepEqual(verdict(p, web(443, { from: '203.0.113.1' })), ['accept', 5]);
  assert.deepEqual(verdict(p, web(80)), ['accept', 6]);
  assert.deepEqual(verdict(p, web(22)), ['drop', null]);
  assert.deepEqual(verdict(p, web(80, { from: '203.0.113.1' })), ['drop', null]);
});
