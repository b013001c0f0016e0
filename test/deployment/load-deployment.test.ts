import * as assert from 'node:assert/strict';
import * as path from 'node:path';
import { describe, it } from 'node:test';
import {
  checkDeploymentAgainstMatrix,
  checkDeploymentFiles,
  type Deployment,
  loadDeployment,
  loadDeploymentMatrix,
} from '../../src/deployment';
import { brief, diagnosticsThrownBy, lines, SITE_DIR, tempDir } from './support';

const site = (...parts: string[]): string => path.join(SITE_DIR, ...parts);

/** The deployment without its locate function, for deepEqual. */
function data(deployment: Deployment): Omit<Deployment, 'locate'> {
  const { locate: _locate, ...rest } = deployment;
  return rest;
}

const SITE_DEPLOYMENT: Omit<Deployment, 'locate'> = {
  file: site('fwmatrix.yml'),
  matrix: 'lync2013-director-hlb',
  roles: new Map([
    ['reverse-proxy-internal', ['192.0.2.10']],
    ['director', ['198.51.100.11', '198.51.100.12']],
    ['director-vip', ['198.51.100.10']],
    ['front-end', ['198.51.100.21-198.51.100.23']],
    ['internal-clients', ['10.20.0.0/16', '2001:db8:20::/48']],
    ['edge-internal', ['192.0.2.20']],
  ]),
  optional: ['rp-director-http', 'rp-fe-http'],
  severities: { kinds: {}, overrides: [] },
  translations: [
    { vip: 'director-vip', from: 80, to: 8080 },
    { vip: 'director-vip', from: 443, to: 4443 },
  ],
  firewalls: [
    {
      name: 'director01',
      configs: [site('configs', 'director01.rules')],
      type: 'iptables',
      placement: 'host',
      host: ['198.51.100.11'],
      interfaces: new Map([['eth0', ['198.51.100.0/24']]]),
      options: {},
      pointer: '/firewalls/0',
    },
    {
      name: 'core-gw',
      configs: [site('configs', 'core-gw.rules'), site('configs', 'core-gw6.rules')],
      options: { ipsets: site('configs', 'core-gw.ipsets') },
      placement: 'network',
      interfaces: new Map([
        ['eth0', ['192.0.2.0/24']],
        ['eth1', ['198.51.100.0/24', '10.20.0.0/16', '2001:db8:20::/48']],
      ]),
      pointer: '/firewalls/1',
    },
    {
      name: 'edge-fw',
      configs: [site('configs', 'edge-fw.xml')],
      type: 'pfsense',
      placement: 'network',
      options: {},
      pointer: '/firewalls/2',
    },
  ],
};

describe('loadDeployment', () => {
  it('reads every part of the format, with paths relative to the deployment file', () => {
    assert.deepEqual(data(loadDeployment(site('fwmatrix.yml'))), SITE_DEPLOYMENT);
  });

  it('resolves paths against the deployment file, not the current directory', () => {
    const before = process.cwd();
    process.chdir(path.dirname(SITE_DIR));
    try {
      assert.deepEqual(data(loadDeployment(path.join('site', 'fwmatrix.yml'))), SITE_DEPLOYMENT);
    } finally {
      process.chdir(before);
    }
  });

  it('is consistent with its matrix, and its files exist', () => {
    const deployment = loadDeployment(site('fwmatrix.yml'));
    assert.deepEqual(checkDeploymentAgainstMatrix(deployment, loadDeploymentMatrix(deployment)), []);
    assert.deepEqual(checkDeploymentFiles(deployment), []);
  });

  it('locates its parts for later messages', () => {
    const deployment = loadDeployment(site('fwmatrix.yml'));
    assert.deepEqual(deployment.locate('/firewalls/1/config/1'), {
      file: site('fwmatrix.yml'),
      line: 23,
      column: 37,
      path: '/firewalls/1/config/1',
    });
    assert.deepEqual(deployment.locate('/roles/director', 'key'), {
      file: site('fwmatrix.yml'),
      line: 5,
      column: 3,
      path: '/roles/director',
    });
  });

  it('reads JSON the same way', () => {
    const dir = tempDir({
      'fwmatrix.json': JSON.stringify(
        {
          matrix: 'lync2013-director-single',
          roles: { director: ['198.51.100.11'] },
          firewalls: [{ name: 'director01', config: 'director01.rules', placement: 'host', host: ['198.51.100.11'] }],
        },
        null,
        2,
      ),
    });
    assert.deepEqual(data(loadDeployment(path.join(dir, 'fwmatrix.json'))), {
      file: path.join(dir, 'fwmatrix.json'),
      matrix: 'lync2013-director-single',
      roles: new Map([['director', ['198.51.100.11']]]),
      optional: [],
      translations: [],
      severities: { kinds: {}, overrides: [] },
      firewalls: [
        {
          name: 'director01',
          configs: [path.join(dir, 'director01.rules')],
          placement: 'host',
          host: ['198.51.100.11'],
          options: {},
          pointer: '/firewalls/0',
        },
      ],
    });
  });

  it('resolves a matrix path against the deployment file', () => {
    const deployment = loadDeployment(site('custom-matrix.yml'));
    assert.equal(deployment.matrix, site('matrices', 'web-only.yml'));
    const matrix = loadDeploymentMatrix(deployment);
    assert.equal(matrix.id, 'web-only');
    assert.deepEqual(checkDeploymentAgainstMatrix(deployment, matrix), []);
  });

  it("reports a matrix that is neither built in nor a file at the deployment's matrix line", () => {
    const dir = tempDir({
      'fwmatrix.yml': lines(
        'roles: { director: [198.51.100.11] }',
        'matrix: lync2013-director-hbl',
        'firewalls: [{ name: d, config: d.rules, placement: host, host: [198.51.100.11] }]',
      ),
    });
    const deployment = loadDeployment(path.join(dir, 'fwmatrix.yml'));
    assert.deepEqual(diagnosticsThrownBy(() => loadDeploymentMatrix(deployment)).map(brief), [
      {
        line: 2,
        column: 9,
        path: '/matrix',
        message: `no built-in matrix or matrix file 'lync2013-director-hbl' (looked for ${path.join(dir, 'lync2013-director-hbl')}; built-in matrices: lync2013-director-hlb, lync2013-director-single)`,
      },
    ]);
  });
});
