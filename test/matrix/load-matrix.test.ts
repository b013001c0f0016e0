import * as assert from 'node:assert/strict';
import * as os from 'node:os';
import * as path from 'node:path';
import { describe, it } from 'node:test';
import { formatPortRanges, loadMatrix } from '../../src/matrix';
import { brief, diagnosticsThrownBy, lines, SITE_DIR, tempDir } from '../deployment/support';

const SMALL_MATRIX = lines(
  'id: small',
  'title: A small matrix',
  'description: Two roles, two flows.',
  'roles:',
  '  - { id: clients, title: Clients }',
  '  - { id: server, title: Server }',
  '  - { id: any, title: Any address, builtin: true }',
  'requirements:',
  '  - id: clients-server-web',
  '    source: clients',
  '    destination: server',
  '    protocol: tcp',
  '    ports: [80, 443]',
  '    description: Web.',
  '  - id: monitoring',
  '    source: any',
  '    destination: server',
  '    protocol: udp',
  '    ports: [161, "50001-50003"]',
  '    sourcePorts: [0-65535]',
  '    description: Monitoring.',
  '    optional: true',
);

describe('loadMatrix', () => {
  it('reads a matrix file by path, relative to baseDir, filling in the defaults', () => {
    const dir = tempDir({ 'matrices/small.yml': SMALL_MATRIX });
    const matrix = loadMatrix('matrices/small.yml', dir);
    assert.equal(matrix.id, 'small');
    assert.equal(matrix.builtin, false);
    assert.equal(matrix.file, path.join(dir, 'matrices', 'small.yml'));
    assert.deepEqual(matrix.sources, []);
    assert.deepEqual(matrix.errata, []);
    assert.deepEqual(matrix.roles, [
      { id: 'clients', title: 'Clients', builtin: false },
      { id: 'server', title: 'Server', builtin: false },
      { id: 'any', title: 'Any address', builtin: true },
    ]);
    assert.deepEqual(matrix.requirements, [
      {
        id: 'clients-server-web',
        source: 'clients',
        destination: 'server',
        protocol: 'tcp',
        ports: [
          { from: 80, to: 80 },
          { from: 443, to: 443 },
        ],
        sourcePorts: [{ from: 1024, to: 65535 }],
        description: 'Web.',
        errata: [],
        optional: false,
      },
      {
        id: 'monitoring',
        source: 'any',
        destination: 'server',
        protocol: 'udp',
        ports: [
          { from: 161, to: 161 },
          { from: 50001, to: 50003 },
        ],
        sourcePorts: [{ from: 0, to: 65535 }],
        description: 'Monitoring.',
        errata: [],
        optional: true,
      },
    ]);
  });

  it('reads a JSON matrix file, and an absolute path whatever baseDir says', () => {
    const dir = tempDir({
      'm.json': JSON.stringify({
        id: 'j',
        title: 'J',
        description: 'J.',
        roles: [{ id: 'a', title: 'A' }],
        requirements: [{ id: 'r', source: 'a', destination: 'a', protocol: 'tcp', ports: [22], description: 'SSH.' }],
      }),
    });
    assert.equal(loadMatrix(path.join(dir, 'm.json'), os.tmpdir()).id, 'j');
  });

  it('reads the site fixture matrix', () => {
    assert.deepEqual(
      loadMatrix('matrices/web-only.yml', SITE_DIR).requirements.map((r) => r.id),
      ['clients-director-https'],
    );
  });

  it('finds the built-in matrices whatever the current directory', () => {
    const before = process.cwd();
    process.chdir(os.tmpdir());
    try {
      assert.equal(loadMatrix('lync2013-director-hlb').requirements.length, 14);
    } finally {
      process.chdir(before);
    }
  });

  it('names the built-in matrices when neither an id nor a file matches', () => {
    const dir = tempDir();
    assert.deepEqual(diagnosticsThrownBy(() => loadMatrix('lync2013-director-hbl', dir)).map(brief), [
      {
        message:
          "no built-in matrix or matrix file 'lync2013-director-hbl' (built-in matrices: lync2013-director-hlb, lync2013-director-single)",
      },
    ]);
  });

  it('reports schema violations at their line', () => {
    const dir = tempDir({
      'bad.yml': SMALL_MATRIX.replace('protocol: udp', 'protocol: sctp').replace('ports: [80, 443]', 'ports: [80, 70000]'),
    });
    assert.deepEqual(diagnosticsThrownBy(() => loadMatrix('bad.yml', dir)).map(brief), [
      { line: 13, column: 17, path: '/requirements/0/ports/1', message: 'expected a port number 0-65535 or a range lo-hi, got 70000' },
      { line: 18, column: 15, path: '/requirements/1/protocol', message: 'expected one of tcp, udp, got "sctp"' },
    ]);
  });

  it('reports what the schema cannot see: duplicate ids, unknown roles and errata, reversed ranges', () => {
    const dir = tempDir({
      'bad.yml': SMALL_MATRIX.replace('{ id: server, title: Server }', '{ id: clients, title: Server }')
        .replace('"50001-50003"', '"50003-50001"')
        .replace('    optional: true', '    errata: [E7]'),
    });
    assert.deepEqual(diagnosticsThrownBy(() => loadMatrix('bad.yml', dir)).map(brief), [
      { line: 6, column: 11, path: '/roles/1/id', message: "duplicate role id 'clients' (also at line 5)" },
      { line: 11, column: 18, path: '/requirements/0/destination', message: "unknown role 'server'; expected one of clients, any" },
      { line: 17, column: 18, path: '/requirements/1/destination', message: "unknown role 'server'; expected one of clients, any" },
      {
        line: 19,
        column: 18,
        path: '/requirements/1/ports/1',
        message: "port range '50003-50001' is reversed: expected lo-hi with lo <= hi",
      },
      { line: 22, column: 14, path: '/requirements/1/errata/0', message: "unknown erratum 'E7': the matrix lists none" },
    ]);
  });

  it('requires the role any to be declared as built in', () => {
    const dir = tempDir({
      'bad.yml': SMALL_MATRIX.replace('{ id: any, title: Any address, builtin: true }', '{ id: any, title: Any address }'),
    });
    assert.deepEqual(diagnosticsThrownBy(() => loadMatrix('bad.yml', dir)).map(brief), [
      {
        line: 7,
        column: 5,
        path: '/roles/2',
        message: "missing required property 'builtin': the role 'any' is built in: mark it builtin: true",
      },
    ]);
  });
});

describe('formatPortRanges', () => {
  it('writes ports as a matrix file does', () => {
    assert.equal(
      formatPortRanges([
        { from: 80, to: 80 },
        { from: 50001, to: 50003 },
      ]),
      '80, 50001-50003',
    );
  });
});
