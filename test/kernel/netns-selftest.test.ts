/**
 * Proves the kernel harness on small rule sets whose verdicts are known, with both of Debian's
 * iptables backends, before it is trusted as an oracle for fwmatrix.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { type Backend, type Family, type Probe, kernelTestGate, kernelVerdicts, leftoverNamespaces } from './netns';

const gate = kernelTestGate();

const IPV4_RULES = `*raw
:PREROUTING ACCEPT [0:0]
:OUTPUT ACCEPT [0:0]
-A PREROUTING -s 203.0.113.66/32 -j DROP
COMMIT
*filter
:INPUT DROP [0:0]
:FORWARD DROP [0:0]
:OUTPUT ACCEPT [0:0]
:SVC - [0:0]
:WEB - [0:0]
-A INPUT -s 192.0.2.0/24 -p tcp -m tcp --dport 443 -j ACCEPT
-A INPUT -p icmp -m icmp --icmp-type 8 -j ACCEPT
-A INPUT -p udp -m udp --dport 53 -j REJECT --reject-with icmp-port-unreachable
-A INPUT -p udp -j ACCEPT
-A FORWARD -m conntrack --ctstate RELATED,ESTABLISHED -j ACCEPT
-A FORWARD -i eth0 -o eth1 -j SVC
-A FORWARD -i eth1 -o eth0 -g WEB
-A FORWARD -p tcp -m tcp --dport 8080 -j ACCEPT
-A SVC -s 198.51.100.0/25 -j RETURN
-A SVC -p tcp -m multiport --dports 80,443 -j ACCEPT
-A SVC -p tcp -j LOG --log-prefix "svc "
-A SVC -p 89 -m conntrack --ctstate NEW -j ACCEPT
-A WEB -p tcp -m tcp --dport 80 -j ACCEPT
-A WEB -j RETURN
COMMIT
`;

const IPV6_RULES = `*filter
:INPUT DROP [0:0]
:FORWARD ACCEPT [0:0]
:OUTPUT ACCEPT [0:0]
:BLOCK - [0:0]
-A INPUT -s 2001:db8:1::/64 -p tcp -m tcp --dport 22 -j ACCEPT
-A INPUT -p ipv6-icmp -m icmp6 --icmpv6-type 128 -j ACCEPT
-A INPUT -p udp -m iprange --src-range 2001:db8:2::10-2001:db8:2::20 -j ACCEPT
-A FORWARD -i eth1 -j BLOCK
-A FORWARD -o wlan0 -j REJECT --reject-with icmp6-port-unreachable
-A BLOCK -p tcp -m tcp --syn -j DROP
COMMIT
`;

type Expected = 'accepted' | 'not accepted' | 'dropped before its chain';

function verdictWords(verdict: { accepted: boolean; reachedChain: boolean }): Expected {
  if (verdict.accepted) return 'accepted';
  return verdict.reachedChain ? 'not accepted' : 'dropped before its chain';
}

function forward(from: string, to: string, proto: Probe['proto'], dport: number | undefined, input: string, out: string): Probe {
  return { from, to, proto, ...(dport === undefined ? {} : { sport: 41000, dport }), in: input, out, chain: 'FORWARD' };
}

function local(from: string, to: string, proto: Probe['proto'], dport: number | undefined, input = 'eth0'): Probe {
  return { from, to, proto, ...(dport === undefined ? {} : { sport: 41000, dport }), in: input, chain: 'INPUT' };
}

const IPV4_CASES: [string, Probe, Expected][] = [
  ['tcp/443 from the allowed /24', local('192.0.2.7', '198.51.100.1', 'tcp', 443), 'accepted'],
  ['tcp/443 from elsewhere falls to policy DROP', local('203.0.113.5', '198.51.100.1', 'tcp', 443), 'not accepted'],
  ['echo request, on eth1', local('203.0.113.5', '198.51.100.1', 'icmp', undefined, 'eth1'), 'accepted'],
  ['udp/53 is rejected', local('203.0.113.5', '198.51.100.1', 'udp', 53), 'not accepted'],
  ['other udp is accepted', local('203.0.113.5', '198.51.100.1', 'udp', 5353), 'accepted'],
  ['raw PREROUTING drops a source', local('203.0.113.66', '198.51.100.1', 'icmp', undefined), 'dropped before its chain'],
  ['RETURN from SVC, then tcp/8080 in FORWARD', forward('198.51.100.10', '203.0.113.20', 'tcp', 8080, 'eth0', 'eth1'), 'accepted'],
  ['RETURN from SVC, then FORWARD policy', forward('198.51.100.10', '203.0.113.20', 'tcp', 80, 'eth0', 'eth1'), 'not accepted'],
  ['multiport in SVC', forward('198.51.100.200', '203.0.113.20', 'tcp', 80, 'eth0', 'eth1'), 'accepted'],
  ['LOG goes on; end of SVC returns; tcp/8080', forward('198.51.100.200', '203.0.113.21', 'tcp', 8080, 'eth0', 'eth1'), 'accepted'],
  ['protocol 89, NEW', forward('198.51.100.200', '203.0.113.20', 89, undefined, 'eth0', 'eth1'), 'accepted'],
  ['udp/8080 through SVC to policy', forward('198.51.100.200', '203.0.113.20', 'udp', 8080, 'eth0', 'eth1'), 'not accepted'],
  ['goto WEB, tcp/80', forward('203.0.113.30', '192.0.2.40', 'tcp', 80, 'eth1', 'eth0'), 'accepted'],
  [
    'goto WEB, RETURN goes to the policy, not back to FORWARD',
    forward('203.0.113.30', '192.0.2.40', 'tcp', 8080, 'eth1', 'eth0'),
    'not accepted',
  ],
  [
    'a destination made local for INPUT is forwarded in another round',
    forward('192.0.2.9', '198.51.100.1', 'tcp', 443, 'eth0', 'eth1'),
    'accepted',
  ],
  ['the same connection tuple on another interface, in another round', local('192.0.2.7', '198.51.100.1', 'tcp', 443, 'eth1'), 'accepted'],
];

const IPV6_CASES: [string, Probe, Expected][] = [
  ['tcp/22 from the allowed /64', local('2001:db8:1::5', '2001:db8:ff::1', 'tcp', 22), 'accepted'],
  ['tcp/22 from elsewhere', local('2001:db8:9::5', '2001:db8:ff::1', 'tcp', 22), 'not accepted'],
  ['echo request (58)', local('2001:db8:9::5', '2001:db8:ff::1', 58, undefined, 'eth1'), 'accepted'],
  ['link-local source to a local address', local('fe80::1', '2001:db8:ff::1', 58, undefined), 'accepted'],
  ['udp from the first address of the range', local('2001:db8:2::10', '2001:db8:ff::1', 'udp', 9), 'accepted'],
  ['udp from the last address of the range', local('2001:db8:2::20', '2001:db8:ff::1', 'udp', 9), 'accepted'],
  ['udp from just below the range', local('2001:db8:2::f', '2001:db8:ff::1', 'udp', 9), 'not accepted'],
  ['udp from just above the range', local('2001:db8:2::21', '2001:db8:ff::1', 'udp', 9), 'not accepted'],
  ['forwarded under policy ACCEPT', forward('2001:db8:1::5', '2001:db8:3::1', 'tcp', 80, 'eth0', 'eth1'), 'accepted'],
  ['SYN from eth1 dropped in BLOCK', forward('2001:db8:3::1', '2001:db8:1::5', 'tcp', 80, 'eth1', 'eth0'), 'not accepted'],
  ['udp from eth1 passes BLOCK', forward('2001:db8:3::1', '2001:db8:1::5', 'udp', 80, 'eth1', 'eth0'), 'accepted'],
  ['rejected out of wlan0', forward('2001:db8:1::5', '2001:db8:4::1', 'udp', 80, 'eth0', 'wlan0'), 'not accepted'],
];

async function checkCases(rules: string, family: Family, cases: [string, Probe, Expected][], backend: Backend): Promise<void> {
  const verdicts = await kernelVerdicts(
    rules,
    family,
    cases.map(([, probe]) => probe),
    { backend },
  );
  const actual = cases.map(([name], i) => `${name}: ${verdictWords(verdicts[i])}`);
  const expected = cases.map(([name, , verdict]) => `${name}: ${verdict}`);
  assert.deepEqual(actual, expected);
}

describe('kernel harness self-test', { skip: gate.skip }, () => {
  before(() => {
    if (gate.failure) assert.fail(gate.failure);
  });
  after(() => assert.deepEqual(leftoverNamespaces(), [], 'every namespace is removed'));

  for (const backend of ['nft', 'legacy'] as const) {
    it(`IPv4 INPUT and FORWARD verdicts (${backend})`, () => checkCases(IPV4_RULES, 4, IPV4_CASES, backend));
    it(`IPv6 INPUT and FORWARD verdicts (${backend})`, () => checkCases(IPV6_RULES, 6, IPV6_CASES, backend));
  }

  it('with no rules every probe is accepted', async () => {
    const verdicts = await kernelVerdicts(
      '*filter\nCOMMIT\n',
      4,
      IPV4_CASES.map(([, probe]) => probe),
    );
    assert.ok(verdicts.every((verdict) => verdict.accepted));
  });

  it('a rule set the kernel refuses throws, and leaves no namespace behind', async () => {
    const loop = '*filter\n:INPUT ACCEPT [0:0]\n:A - [0:0]\n:B - [0:0]\n-A INPUT -j A\n-A A -j B\n-A B -j A\nCOMMIT\n';
    await assert.rejects(kernelVerdicts(loop, 4, [IPV4_CASES[0][1]]), /restore/);
    assert.deepEqual(leftoverNamespaces(), []);
  });

  it('refuses a rule set that uses the security table', async () => {
    await assert.rejects(kernelVerdicts('*security\nCOMMIT\n', 4, [IPV4_CASES[0][1]]), /security table/);
  });

  it('refuses a probe the kernel would not deliver (martian source)', async () => {
    await assert.rejects(kernelVerdicts('*filter\nCOMMIT\n', 4, [local('127.0.0.1', '198.51.100.1', 'tcp', 443)]), /does not deliver/);
  });
});
