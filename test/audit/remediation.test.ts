/** Missing flows say what almost serves them: the rule meant for the flow, the condition that fails, and the change that would serve it. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as path from 'node:path';
import { tempTree } from '../helpers/cli';
import { filterTable } from '../helpers/programs';
import { ProgramBuilder } from '../helpers/program-builder';
import { auditConfiguration } from '../../src/app/audit';
import { nearMisses } from '../../src/audit/near-miss';
import { CtState, TcpFlag, parseAddress } from '../../src/packetset';

const ROLES = {
  'reverse-proxy-internal': ['192.0.2.10'],
  director: ['198.51.100.11'],
  'front-end': ['198.51.100.21-198.51.100.23'],
  'internal-clients': ['203.0.113.0/24'],
  'edge-internal': ['192.0.2.20'],
};

function missingOf(rules: string[], requirement: string) {
  const file = path.join(tempTree({ 'director.rules': filterTable({ INPUT: 'DROP' }, rules) }), 'director.rules');
  const report = auditConfiguration(
    { config: file, matrix: 'lync2013-director-single', roles: ROLES, placement: 'host', host: ['198.51.100.11'] },
    { failOn: 'high' },
  );
  return report.findings.find((f) => f.kind === 'missing' && f.requirement === requirement)!;
}

test('an ESTABLISHED-only rule for the flow: the state is the condition that fails', () => {
  const missing = missingOf(
    [
      '-A INPUT -m conntrack --ctstate RELATED,ESTABLISHED -j ACCEPT',
      '-A INPUT -s 192.0.2.10/32 -p tcp -m tcp --dport 4443 -m state --state ESTABLISHED -j ACCEPT',
    ],
    'rp-director-https',
  );
  // The rule for every established connection is no near miss; the one written for the flow is.
  assert.deepEqual(missing.hints, [
    {
      rule: {
        file: missing.hints![0].rule.file,
        line: 6,
        text: '-A INPUT -s 192.0.2.10/32 -p tcp -m tcp --dport 4443 -m state --state ESTABLISHED -j ACCEPT',
      },
      condition: 'state',
      says: "matches only connection state ESTABLISHED, and a required flow's first packet is a new connection (NEW)",
      suggestion: 'let it match new connections (state NEW) too',
    },
  ]);
  assert.match(
    missing.message,
    /dropped by the INPUT chain's default policy; the rule at line 6 matches only connection state ESTABLISHED, /,
  );
});

test('a wrong port, a wrong source, a rule decided too late', () => {
  const port = missingOf(['-A INPUT -s 192.0.2.10/32 -p tcp -m tcp --dport 443 -j ACCEPT'], 'rp-director-https');
  assert.deepEqual(
    port.hints!.map((h) => [h.condition, h.says, h.suggestion]),
    [['dport', 'matches destination ports 443, not 4443', 'add destination port 4443']],
  );
  const source = missingOf(['-A INPUT -s 192.0.2.11/32 -p tcp -m tcp --dport 4443 -j ACCEPT'], 'rp-director-https');
  assert.deepEqual(
    source.hints!.map((h) => [h.condition, h.says, h.suggestion]),
    [['src', 'matches source addresses 192.0.2.11, not 192.0.2.10', 'add 192.0.2.10 to its source addresses']],
  );
  const late = missingOf(
    ['-A INPUT -s 192.0.2.0/24 -j DROP', '-A INPUT -s 192.0.2.10/32 -p tcp -m tcp --dport 4443 -j ACCEPT'],
    'rp-director-https',
  );
  assert.deepEqual([late.rule?.line, late.hints!.map((h) => [h.rule.line, h.condition])], [5, [[6, 'order']]]);
});

test('a rule of another profile lets the packet through there only', () => {
  const program = new ProgramBuilder(4)
    .chain('domain-in', [{ dst: '198.51.100.11', proto: 'tcp', dport: 22, action: 'accept' }], { policy: 'drop', order: 'precedence' })
    .chain('public-in', [{ dst: '198.51.100.11', proto: 'tcp', dport: 4443, action: 'accept' }], { policy: 'drop', order: 'precedence' })
    .point({ id: 'domain-in', label: 'the Domain profile', traffic: 'inbound', variant: 'domain', chains: ['domain-in'] })
    .point({ id: 'public-in', label: 'the Public profile', traffic: 'inbound', variant: 'public', chains: ['public-in'] })
    .build();
  const packet = {
    family: 4 as const,
    src: parseAddress('192.0.2.10')!.value,
    dst: parseAddress('198.51.100.11')!.value,
    proto: 6,
    sport: 40000,
    dport: 4443,
    icmp: 0,
    tcpflags: TcpFlag.SYN,
    iif: program.interfaces.size,
    oif: 0,
    state: CtState.NEW,
  };
  assert.deepEqual(
    nearMisses(program, program.points[0], packet).map((h) => [h.rule.line, h.condition, h.says]),
    [
      [1, 'dport', 'matches destination ports 22, not 4443'],
      [3, 'variant', 'lets it through in the Public profile only'],
    ],
  );
});

test('a point of several stages: no order hint for a rule that let the packet through its own stage, none for an implicit rule', () => {
  const program = new ProgramBuilder(4)
    .chain('in', [{ dst: '198.51.100.11', proto: 'tcp', dport: 4443, action: 'accept' }], { policy: 'drop' })
    .chain(
      'out',
      [
        { dst: '198.51.100.11', proto: 'tcp', dport: 22, action: 'accept' },
        { dst: '198.51.100.11', proto: 'tcp', action: 'drop' },
        { dst: '198.51.100.11', proto: 'tcp', dport: 4443, action: 'accept' },
      ],
      { policy: 'drop' },
    )
    .point({ id: 'forwarded', traffic: 'forwarded', chains: ['in', 'out'] })
    .build();
  // A rule the firewall adds itself is not the configuration's to edit.
  const implicit = program.chains.get('out')!.rules[0];
  (program.chains.get('out')!.rules as unknown[])[0] = { ...implicit, implicit: true };
  const packet = {
    family: 4 as const,
    src: parseAddress('192.0.2.10')!.value,
    dst: parseAddress('198.51.100.11')!.value,
    proto: 6,
    sport: 40000,
    dport: 4443,
    icmp: 0,
    tcpflags: TcpFlag.SYN,
    iif: 0,
    oif: 0,
    state: CtState.NEW,
  };
  // Line 1 accepted in the first stage; the second stage's drop (line 4) decides before line 5.
  assert.deepEqual(
    nearMisses(program, program.points[0], packet).map((h) => [h.rule.line, h.condition]),
    [[5, 'order']],
  );
});
