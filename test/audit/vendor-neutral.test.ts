/**
 * The audit chooses enforcement points by the traffic they see and the interfaces they are scoped
 * to, never by a vendor's names: a hand-built program with points named lan-in and dmz-in is
 * audited exactly, traffic that no point sees is undetermined (never allowed), and the bundled
 * example audits the same with its points renamed.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as path from 'node:path';
import { ProgramBuilder } from '../helpers/program-builder';
import { FIXTURES_DIR } from '../helpers/paths';
import { audit, type AuditInput, type RequirementUnderAudit } from '../../src/audit/audit';
import { Ranges, parseNetwork, type AddressSet } from '../../src/packetset';
import { auditLoadedFirewalls, auditReport, loadDeploymentFile, loadFirewall } from '../../src/app/audit';

function addresses(...written: string[]): AddressSet {
  const set = { 4: Ranges.EMPTY, 6: Ranges.EMPTY };
  for (const text of written) {
    const n = parseNetwork(text)!;
    set[n.family] = set[n.family].union(n.ranges);
  }
  return set;
}

const ROLES = new Map<string, AddressSet>([
  ['reverse-proxy', addresses('192.0.2.10')],
  ['edge', addresses('192.0.2.20')],
  ['director', addresses('198.51.100.11')],
  ['clients', addresses('203.0.113.0/25')],
  ['admins', addresses('203.0.113.200')],
]);

function requirement(id: string, source: string, destination: string, port: number): RequirementUnderAudit {
  return {
    id,
    source,
    destination,
    protocol: 6,
    ports: Ranges.point(BigInt(port)),
    sourcePorts: Ranges.of(1024n, 65535n),
    errata: [],
    optional: false,
  };
}

const REQUIREMENTS = [
  requirement('rp-director-http', 'reverse-proxy', 'director', 8080),
  requirement('rp-director-https', 'reverse-proxy', 'director', 4443),
  requirement('edge-director-sip', 'edge', 'director', 5061),
  requirement('clients-director-https', 'clients', 'director', 443),
  requirement('admins-director-ssh', 'admins', 'director', 22),
];

/**
 * A gateway between a DMZ, the server LAN, the clients and a management network, filtering what
 * enters on the DMZ and the clients' interface; nothing is said about what enters on mgmt.
 */
function gateway() {
  return new ProgramBuilder(4, 'gw.policy')
    .chain(
      'dmz-rules',
      [
        { src: '192.0.2.10', dst: '198.51.100.11', proto: 'tcp', dport: 4443, action: 'accept' }, // line 1
        { src: '192.0.2.20', dst: '198.51.100.0/24', proto: 'tcp', dport: 5061, action: 'accept' }, // line 2: broader than required
        { src: '192.0.2.10', dst: '198.51.100.11', proto: 'tcp', dport: 4443, action: 'drop' }, // line 3: shadowed
      ],
      { policy: 'drop' }, // line 4
    )
    .chain(
      'users-rules',
      [
        { dst: '198.51.100.11', proto: 'tcp', dport: 443, action: 'accept' }, // line 5
        { dst: '198.51.100.0/24', proto: 'tcp', dport: 3389, action: 'accept' }, // line 6: extraneous
      ],
      { policy: 'drop' }, // line 7
    )
    .chain('lan-rules', [], { policy: 'accept' }) // line 8
    .chain('local', [], { policy: 'drop' }) // line 9
    .point({ id: 'dmz-in', traffic: 'forwarded', interfaces: { in: ['dmz'] }, chains: ['dmz-rules'], label: 'entering from the DMZ' })
    .point({ id: 'users-in', traffic: 'forwarded', interfaces: { in: ['users'] }, chains: ['users-rules'] })
    .point({ id: 'lan-in', traffic: 'forwarded', interfaces: { in: ['lan'] }, chains: ['lan-rules'] })
    .point({ id: 'gw-local', traffic: 'inbound', chains: ['local'] })
    .build(['mgmt']);
}

function gatewayAudit(): ReturnType<typeof audit> {
  const input: AuditInput = {
    roles: ROLES,
    roleAddresses: [...ROLES.values()].reduce((a, b) => ({ 4: a[4].union(b[4]), 6: a[6].union(b[6]) })),
    requirements: REQUIREMENTS,
    firewalls: [
      {
        name: 'gw',
        placement: {
          kind: 'network',
          host: addresses('198.51.100.1'),
          interfaces: [
            { name: 'dmz', networks: addresses('192.0.2.0/24') },
            { name: 'lan', networks: addresses('198.51.100.0/24') },
            { name: 'users', networks: addresses('203.0.113.0/25') },
            { name: 'mgmt', networks: addresses('203.0.113.128/25') },
          ],
        },
        programs: [gateway()],
      },
    ],
  };
  return audit(input);
}

test('points named freely are chosen by traffic and interface: exact statuses and deciding lines', () => {
  const { results } = gatewayAudit();
  assert.deepEqual(
    results.map((r) => [r.requirement, r.status, r.decidedBy.map((d) => d.line), r.reasons]),
    [
      ['rp-director-http', 'denied', [4], []],
      ['rp-director-https', 'allowed', [1], []],
      ['edge-director-sip', 'allowed', [2], []],
      ['clients-director-https', 'allowed', [5], []],
      // The admins' traffic enters on mgmt, where no point filters: the configuration says nothing about it.
      [
        'admins-director-ssh',
        'undetermined',
        [],
        ['no enforcement point of gw.policy filters traffic passing through it arriving on mgmt and leaving by lan'],
      ],
    ],
  );
});

test('findings speak the normalizer’s words and name the point’s traffic', () => {
  const { findings } = gatewayAudit();
  assert.deepEqual(
    findings.map((f) => [f.kind, f.requirement, f.rule?.line ?? null, f.message, f.witness?.chain ?? null]),
    [
      [
        'overly-broad',
        null,
        2,
        'rule at line 2 serves required flows but is broader than they are: lets through 255 destination addresses where the matrix requires 1',
        'dmz-in',
      ],
      [
        'extraneous',
        null,
        6,
        "rule at line 6 lets through new connections to or from the matrix's roles that no required flow needs (128 source addresses, 255 destination addresses, 1 protocol, 1 destination port)",
        'users-in',
      ],
      // What enters from the LAN is let through by the chain's default: the servers' own connections, none required.
      [
        'extraneous',
        null,
        8,
        "the default of chain lan-rules lets through new connections to or from the matrix's roles that no required flow needs (255 source addresses, 512 destination addresses, 256 protocols, 65,536 destination ports)",
        'lan-in',
      ],
      // Packets reach line 3, but every one it would match was accepted at line 1.
      ['shadowed', null, 3, 'rule at line 3 can never match: no packet that reaches it can match it', null],
      [
        'missing',
        'rp-director-http',
        4,
        // The DMZ rule for HTTPS is the one meant for the reverse proxy: its port is the near miss.
        'required flow tcp/8080 from reverse-proxy to director is denied entirely; e.g. this packet is dropped by the default of chain dmz-rules; the rule at line 1 matches destination ports 4443, not 8080',
        'dmz-in',
      ],
      [
        'undetermined',
        'admins-director-ssh',
        null,
        'whether required flow tcp/22 from admins to director is allowed cannot be told: no enforcement point of gw.policy filters traffic passing through it arriving on mgmt and leaving by lan',
        null,
      ],
    ],
  );
});

test('a program with no point for the traffic at all leaves every flow undetermined, never allowed', () => {
  const onlyLocal = new ProgramBuilder(4, 'host.policy')
    .chain('local', [], { policy: 'accept' })
    .point({ id: 'mine', traffic: 'inbound', chains: ['local'] })
    .build(['dmz', 'lan']);
  const { results, findings } = audit({
    roles: ROLES,
    roleAddresses: ROLES.get('director')!,
    requirements: [REQUIREMENTS[1]],
    firewalls: [
      {
        name: 'gw',
        placement: {
          kind: 'network',
          host: addresses('198.51.100.1'),
          interfaces: [
            { name: 'dmz', networks: addresses('192.0.2.0/24') },
            { name: 'lan', networks: addresses('198.51.100.0/24') },
          ],
        },
        programs: [onlyLocal],
      },
    ],
  });
  assert.deepEqual(
    results.map((r) => [r.status, r.reasons]),
    [['undetermined', ['no enforcement point of host.policy filters traffic passing through it arriving on dmz and leaving by lan']]],
  );
  assert.deepEqual(
    findings.map((f) => [f.kind, f.severity]),
    [
      // The one point, traffic to the firewall itself, accepts everything: the director's connections to it too.
      ['extraneous', 'medium'],
      ['undetermined', 'medium'],
    ],
  );
});

test('the bundled example audits the same with its enforcement points renamed', () => {
  const { deployment, matrix } = loadDeploymentFile(path.join(FIXTURES_DIR, 'example', 'fwmatrix.yml'));
  const judge = { failOn: 'medium' as const };
  const renamed = deployment.firewalls.map((fw) => {
    const loaded = loadFirewall(deployment, fw);
    for (const program of loaded.underAudit.programs) {
      program.points = program.points.map((point) => ({
        ...point,
        id: `${point.traffic}-${fw.name}`,
        label: `the ${point.traffic} rules`,
      }));
    }
    return loaded;
  });
  const original = auditReport(deployment, matrix, judge);
  const audited = auditLoadedFirewalls(deployment, matrix, renamed, judge);
  assert.equal(audited.results.length, 28);
  assert.deepEqual(
    audited.results.map((r) => [r.firewall, r.requirement, r.status, r.decidedBy]),
    original.results.map((r) => [r.firewall, r.requirement, r.status, r.decidedBy]),
  );
  assert.deepEqual(
    audited.findings.map((f) => [f.fingerprint, f.kind, f.rule?.line, f.message]),
    original.findings.map((f) => [f.fingerprint, f.kind, f.rule?.line, f.message]),
  );
  assert.equal(audited.verdict, 'fail');
});

test('a point the configuration does not filter lets everything through and is a high finding', () => {
  const program = new ProgramBuilder(4, 'host.policy')
    .chain('in', [{ proto: 'tcp', dport: 4443, action: 'accept' }], { policy: 'drop' })
    .build();
  program.points.push(
    { id: 'domain-in', label: 'Domain profile, inbound', traffic: 'inbound', variant: 'domain', stages: [{ chain: 'in', primary: true }] },
    {
      id: 'public-in',
      label: 'Public profile, inbound',
      traffic: 'inbound',
      variant: 'public',
      unfiltered: { reason: "the profile's firewall is off", source: { file: 'host.policy', line: 9, text: 'EnableFirewall false' } },
      stages: [],
    },
  );
  const { results, findings } = audit({
    roles: ROLES,
    roleAddresses: [...ROLES.values()].reduce((a, b) => ({ 4: a[4].union(b[4]), 6: a[6].union(b[6]) })),
    requirements: [REQUIREMENTS[0], REQUIREMENTS[1]],
    firewalls: [{ name: 'director01', placement: { kind: 'host', host: addresses('198.51.100.11'), interfaces: [] }, programs: [program] }],
  });
  // Each variant is audited on its own.
  assert.deepEqual(
    results.map((r) => [r.variant, r.requirement, r.status, r.decidedBy.map((d) => d.line)]),
    [
      ['domain', 'rp-director-http', 'denied', [2]],
      ['domain', 'rp-director-https', 'allowed', [1]],
      ['public', 'rp-director-http', 'allowed', [9]],
      ['public', 'rp-director-https', 'allowed', [9]],
    ],
  );
  const unfiltered = findings.find((f) => f.kind === 'unfiltered')!;
  assert.deepEqual(
    [unfiltered.severity, unfiltered.variant, unfiltered.rule?.line, unfiltered.message],
    ['high', 'public', 9, "Public profile, inbound: the profile's firewall is off, so every packet is let through whatever the rules say"],
  );
  const missing = findings.filter((f) => f.kind === 'missing');
  assert.deepEqual(
    missing.map((f) => [f.variant, f.requirement]),
    [['domain', 'rp-director-http']],
  );
  // Nothing else is said of the unfiltered profile: its one finding says it all.
  assert.deepEqual(
    findings.filter((f) => f.variant === 'public').map((f) => f.kind),
    ['unfiltered'],
  );
});
