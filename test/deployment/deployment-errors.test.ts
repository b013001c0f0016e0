import * as assert from 'node:assert/strict';
import * as path from 'node:path';
import { describe, it } from 'node:test';
import { loadDeployment } from '../../src/deployment';
import { formatDiagnostic, InputError } from '../../src/model/errors';
import { brief, diagnosticsThrownBy, lines, tempDir } from './support';

/** A valid deployment; each case below changes a few of its lines. */
const VALID_LINES = [
  /*  1 */ 'matrix: lync2013-director-single',
  /*  2 */ 'roles:',
  /*  3 */ '  reverse-proxy-internal: [192.0.2.10]',
  /*  4 */ '  director: [198.51.100.11]',
  /*  5 */ '  front-end: [198.51.100.21-198.51.100.23]',
  /*  6 */ '  internal-clients: [10.20.0.0/16]',
  /*  7 */ '  edge-internal: [192.0.2.20]',
  /*  8 */ 'firewalls:',
  /*  9 */ '  - name: director01',
  /* 10 */ '    config: director01.rules',
  /* 11 */ '    placement: host',
  /* 12 */ '    host: [198.51.100.11]',
  /* 13 */ '  - name: core-gw',
  /* 14 */ '    config: core-gw.rules',
  /* 15 */ '    placement: network',
  /* 16 */ '    interfaces:',
  /* 17 */ '      eth0: [192.0.2.0/24]',
  /* 18 */ '      eth1: [198.51.100.0/24, 10.20.0.0/16]',
];

/** The valid deployment with lines replaced (line number -> new text, null to delete) and lines added at the end. */
function deployment(changes: Record<number, string | null>, ...added: string[]): string {
  const changed = VALID_LINES.flatMap((text, index) => {
    const change = changes[index + 1];
    return change === undefined ? [text] : change === null ? [] : [change];
  });
  return lines(...changed, ...added);
}

/** The diagnostics of loading `text` as fwmatrix.yml (or another name). */
function problems(text: string, name = 'fwmatrix.yml'): ReturnType<typeof brief>[] {
  const file = path.join(tempDir({ [name]: text }), name);
  return diagnosticsThrownBy(() => loadDeployment(file)).map(brief);
}

describe('deployment file errors name the line, the path and what was expected', () => {
  it('loads the valid deployment', () => {
    const file = path.join(tempDir({ 'fwmatrix.yml': deployment({}) }), 'fwmatrix.yml');
    assert.equal(loadDeployment(file).firewalls.length, 2);
  });

  it('a wrong placement', () => {
    assert.deepEqual(problems(deployment({ 11: '    placement: hosts' })), [
      { line: 11, column: 16, path: '/firewalls/0/placement', message: 'expected one of host, network, got "hosts"' },
    ]);
  });

  it('a missing config', () => {
    assert.deepEqual(problems(deployment({ 10: null })), [
      { line: 9, column: 5, path: '/firewalls/0', message: "missing required property 'config'" },
    ]);
  });

  it('an address out of range', () => {
    assert.deepEqual(problems(deployment({ 4: '  director: [198.51.100.11, 10.0.0.300]' })), [
      { line: 4, column: 29, path: '/roles/director/1', message: "'10.0.0.300' is not an IPv4 address: 300 is greater than 255" },
    ]);
  });

  it('an IPv6 address that YAML reads as a mapping', () => {
    assert.deepEqual(problems(deployment({ 6: '  internal-clients: [10.20.0.0/16, 2001:db8:20::]' })), [
      {
        line: 6,
        column: 36,
        path: '/roles/internal-clients/1',
        message:
          "expected an address as text (quote IPv6 addresses that end in '::': YAML reads a trailing ':' as a mapping), got a mapping",
      },
    ]);
  });

  it('a reversed range, and a range across families', () => {
    assert.deepEqual(problems(deployment({ 5: '  front-end: [198.51.100.23-198.51.100.21, "198.51.100.1-2001:db8::1"]' })), [
      {
        line: 5,
        column: 15,
        path: '/roles/front-end/0',
        message: "range '198.51.100.23-198.51.100.21' is reversed: its first address is greater than its last",
      },
      { line: 5, column: 44, path: '/roles/front-end/1', message: "range '198.51.100.1-2001:db8::1' mixes IPv4 and IPv6" },
    ]);
  });

  it('a bad network behind an interface, and a bad interface name', () => {
    assert.deepEqual(problems(deployment({ 17: '      eth0: [192.0.2.0/33]', 18: '      "eth 1": [198.51.100.0/24]' })), [
      {
        line: 17,
        column: 14,
        path: '/firewalls/1/interfaces/eth0/0',
        message: "network '192.0.2.0/33': prefix length 33 is out of range 0-32",
      },
      {
        line: 18,
        column: 7,
        path: '/firewalls/1/interfaces/eth 1',
        message: "invalid name 'eth 1': expected an interface name without spaces",
      },
    ]);
  });

  it('an unknown top-level key', () => {
    assert.deepEqual(problems(deployment({}, 'colour: red')), [
      {
        line: 19,
        column: 1,
        path: '/colour',
        message: "unknown property 'colour'; expected one of matrix, roles, firewalls, optional, translations, severities",
      },
    ]);
  });

  it('a role id that is not one', () => {
    assert.deepEqual(problems(deployment({ 6: '  Internal_Clients: [10.20.0.0/16]' })), [
      {
        line: 6,
        column: 3,
        path: '/roles/Internal_Clients',
        message: "invalid name 'Internal_Clients': expected a role id: lowercase letters, digits and single dashes, starting with a letter",
      },
    ]);
  });

  it('a role without addresses', () => {
    assert.deepEqual(problems(deployment({ 6: '  internal-clients: []' })), [
      { line: 6, column: 21, path: '/roles/internal-clients', message: 'expected a non-empty list' },
    ]);
  });

  it('a host firewall without its host', () => {
    assert.deepEqual(problems(deployment({ 12: null })), [
      {
        line: 9,
        column: 5,
        path: '/firewalls/0',
        message: "missing required property 'host': a firewall with placement host protects that host and needs its addresses",
      },
    ]);
  });

  it('a network firewall without interfaces, unless its configuration names them', () => {
    assert.deepEqual(problems(deployment({ 16: null, 17: null, 18: null })), [
      {
        line: 13,
        column: 5,
        path: '/firewalls/1',
        message:
          "missing required property 'interfaces': a network firewall needs the networks behind each interface (only pfsense and opnsense configurations name them: set type)",
      },
    ]);
    const file = path.join(tempDir({ 'fwmatrix.yml': deployment({ 16: '    type: opnsense', 17: null, 18: null }) }), 'fwmatrix.yml');
    assert.equal(loadDeployment(file).firewalls[1].placement, 'network');
  });

  it('a host list on a network firewall, profiles on a firewall that is not Windows', () => {
    assert.deepEqual(problems(deployment({}, '    host: [192.0.2.1]', '    type: iptables', '    profiles: [domain]')), [
      {
        line: 19,
        column: 5,
        path: '/firewalls/1/host',
        message: "'host' is only for placement host; give a network firewall's networks under 'interfaces'",
      },
      {
        line: 21,
        column: 5,
        path: '/firewalls/1/profiles',
        message: 'profiles are for Windows firewalls only (type windows-gpo or windows-reg)',
      },
    ]);
  });

  it('a config that is neither a path nor a list of paths', () => {
    assert.deepEqual(problems(deployment({ 10: '    config: 42' })), [
      { line: 10, column: 13, path: '/firewalls/0/config', message: 'expected a file path or a list of file paths, got 42' },
    ]);
    assert.deepEqual(problems(deployment({ 10: '    config: [director01.rules, 42]' })), [
      { line: 10, column: 32, path: '/firewalls/0/config/1', message: 'expected a string, got 42' },
    ]);
  });

  it('a bad translation and optional requirement id', () => {
    assert.deepEqual(
      problems(deployment({}, 'translations: [{ vip: director-vip, from: 80, to: 70000 }]', 'optional: [RP-Director-HTTP]')),
      [
        { line: 19, column: 51, path: '/translations/0/to', message: 'expected a port number 1-65535, got 70000' },
        {
          line: 20,
          column: 12,
          path: '/optional/0',
          message: 'expected a requirement id: lowercase letters, digits and single dashes, got "RP-Director-HTTP"',
        },
      ],
    );
  });

  it('two firewalls of the same name', () => {
    assert.deepEqual(problems(deployment({ 13: '  - name: director01' })), [
      {
        line: 13,
        column: 11,
        path: '/firewalls/1/name',
        message: "duplicate firewall name 'director01' (also at line 9); reports and waivers tell firewalls apart by name",
      },
    ]);
  });

  it('a YAML syntax error', () => {
    assert.deepEqual(problems(deployment({ 11: '    placement: host', 12: '   host: [198.51.100.11]' })), [
      { line: 12, column: 1, message: 'Sequence item without - indicator' },
    ]);
    assert.deepEqual(problems(deployment({ 14: '    placement: network' })), [{ line: 15, column: 5, message: 'Map keys must be unique' }]);
  });

  it('a JSON syntax error and a JSON schema error, with their lines', () => {
    const json = lines(
      '{',
      '  "matrix": "lync2013-director-single"',
      '  "roles": { "director": ["198.51.100.11"] },',
      '  "firewalls": []',
      '}',
    );
    assert.deepEqual(problems(json, 'fwmatrix.json'), [{ line: 3, column: 3, message: 'Missing , between flow map items' }]);
    const wrong = lines(
      '{',
      '  "matrix": "lync2013-director-single",',
      '  "roles": { "director": ["198.51.100.11"] },',
      '  "firewalls": [',
      '    { "name": "d", "config": "d.rules", "placement": "hots" }',
      '  ]',
      '}',
    );
    assert.deepEqual(problems(wrong, 'fwmatrix.json'), [
      { line: 5, column: 54, path: '/firewalls/0/placement', message: 'expected one of host, network, got "hots"' },
    ]);
  });

  it('an empty file, and a file that is a list', () => {
    assert.deepEqual(problems(''), [{ message: 'expected a mapping (key: value), got an empty value' }]);
    assert.deepEqual(problems(lines('- a')), [{ line: 1, column: 1, message: 'expected a mapping (key: value), got a list' }]);
  });

  it('InputError prints each diagnostic as file:line:column: at path: message', () => {
    const dir = tempDir({ 'fwmatrix.yml': deployment({ 11: '    placement: hosts' }) });
    const before = process.cwd();
    process.chdir(dir);
    try {
      loadDeployment('fwmatrix.yml');
      assert.fail('expected an InputError');
    } catch (error) {
      assert.ok(error instanceof InputError);
      assert.equal(error.message, 'fwmatrix.yml:11:16: at /firewalls/0/placement: expected one of host, network, got "hosts"');
      assert.equal(formatDiagnostic(error.diagnostics[0]), error.message);
    } finally {
      process.chdir(before);
    }
  });
});
