import * as assert from 'node:assert/strict';
import * as path from 'node:path';
import { describe, it } from 'node:test';
import { checkDeploymentAgainstMatrix, checkDeploymentFiles, checkRolesAgainstMatrix, loadDeployment } from '../../src/deployment';
import { loadMatrix } from '../../src/matrix';
import { brief, lines, tempDir } from './support';

const HLB_ROLES = lines(
  /* 1 */ 'matrix: lync2013-director-hlb',
  /* 2 */ 'roles:',
  /* 3 */ '  reverse-proxy-internal: [192.0.2.10]',
  /* 4 */ '  director: [198.51.100.11, 198.51.100.12]',
  /* 5 */ '  director-vip: [198.51.100.10]',
  /* 6 */ '  front-end: [198.51.100.21-198.51.100.23]',
  /* 7 */ '  internal-clients: [10.20.0.0/16]',
  /* 8 */ '  edge-internal: [192.0.2.20]',
);
const FIREWALLS = lines('firewalls:', '  - { name: director01, config: director01.rules, placement: host, host: [198.51.100.11] }');

function deploymentOf(text: string) {
  return loadDeployment(path.join(tempDir({ 'fwmatrix.yml': text }), 'fwmatrix.yml'));
}

describe('checkRolesAgainstMatrix', () => {
  const hlb = loadMatrix('lync2013-director-hlb');
  const single = loadMatrix('lync2013-director-single');

  it('accepts a deployment that gives every role the matrix needs; any needs no addresses', () => {
    assert.deepEqual(checkRolesAgainstMatrix(deploymentOf(HLB_ROLES + FIREWALLS), hlb), []);
  });

  it('lets a deployment say what any means', () => {
    assert.deepEqual(checkRolesAgainstMatrix(deploymentOf(HLB_ROLES + lines('  any: [10.0.0.0/8]') + FIREWALLS), hlb), []);
  });

  it('reports a role the matrix needs and the deployment does not give, at the roles line', () => {
    const text = HLB_ROLES.replace('  director-vip: [198.51.100.10]\n', '').replace('  reverse-proxy-internal: [192.0.2.10]\n', '');
    assert.deepEqual(checkRolesAgainstMatrix(deploymentOf(text + FIREWALLS), hlb).map(brief), [
      {
        line: 2,
        column: 1,
        path: '/roles',
        message:
          "missing role 'reverse-proxy-internal': matrix lync2013-director-hlb needs its addresses (for rp-director-http, rp-director-https, rp-fe-http, rp-fe-https)",
      },
      {
        line: 2,
        column: 1,
        path: '/roles',
        message:
          "missing role 'director-vip': matrix lync2013-director-hlb needs its addresses (for rp-director-http, rp-director-https, clients-director-http, clients-director-https)",
      },
    ]);
  });

  it('reports a role the matrix does not know, at its key, with the likely one', () => {
    const text = HLB_ROLES.replace('  edge-internal:', '  edge-interna:');
    assert.deepEqual(checkRolesAgainstMatrix(deploymentOf(text + FIREWALLS), hlb).map(brief), [
      {
        line: 8,
        column: 3,
        path: '/roles/edge-interna',
        message:
          "unknown role 'edge-interna' for matrix lync2013-director-hlb (did you mean 'edge-internal'?); expected one of reverse-proxy-internal, director, director-vip, front-end, internal-clients, edge-internal, any",
      },
      {
        line: 2,
        column: 1,
        path: '/roles',
        message:
          "missing role 'edge-internal': matrix lync2013-director-hlb needs its addresses (for edge-director-sip, director-edge-sip, fe-edge-sip, edge-fe-sip)",
      },
    ]);
  });

  it('the single-Director matrix has no VIP role', () => {
    assert.deepEqual(checkRolesAgainstMatrix(deploymentOf(HLB_ROLES + FIREWALLS), single).map(brief), [
      {
        line: 5,
        column: 3,
        path: '/roles/director-vip',
        message:
          "unknown role 'director-vip' for matrix lync2013-director-single; expected one of reverse-proxy-internal, director, front-end, internal-clients, edge-internal, any",
      },
    ]);
  });
});

describe('checkDeploymentAgainstMatrix', () => {
  const hlb = loadMatrix('lync2013-director-hlb');

  it('also checks the optional requirement ids and the translations', () => {
    const text =
      HLB_ROLES +
      lines('optional: [rp-director-http, rp-fe-htp]', 'translations:', '  - { vip: director-vp, from: 80, to: 8080 }') +
      FIREWALLS;
    assert.deepEqual(checkDeploymentAgainstMatrix(deploymentOf(text), hlb).map(brief), [
      {
        line: 9,
        column: 30,
        path: '/optional/1',
        message: "unknown requirement 'rp-fe-htp' in matrix lync2013-director-hlb (did you mean 'rp-fe-http'?)",
      },
      {
        line: 11,
        column: 12,
        path: '/translations/0/vip',
        message:
          "unknown role 'director-vp' for matrix lync2013-director-hlb (did you mean 'director-vip'?); expected the load balancer VIP's role, one of reverse-proxy-internal, director, director-vip, front-end, internal-clients, edge-internal",
      },
    ]);
  });
});

describe('checkDeploymentFiles', () => {
  it('reports the configuration and ipset files that cannot be read, at their lines', () => {
    const dir = tempDir({
      'fwmatrix.yml':
        HLB_ROLES +
        lines(
          'firewalls:',
          '  - name: gw',
          '    config: [gw.rules, gw6.rules]',
          '    ipsets: gw.ipsets',
          '    placement: network',
          '    interfaces: { eth0: [192.0.2.0/24], eth1: [198.51.100.0/24] }',
          '  - { name: d1, config: d1.rules, placement: host, host: [198.51.100.11] }',
        ),
      'gw.rules': '*filter\nCOMMIT\n',
    });
    const deployment = loadDeployment(path.join(dir, 'fwmatrix.yml'));
    assert.deepEqual(checkDeploymentFiles(deployment).map(brief), [
      {
        line: 11,
        column: 24,
        path: '/firewalls/0/config/1',
        message: `cannot read configuration file ${path.join(dir, 'gw6.rules')}: no such file`,
      },
      { line: 12, column: 13, path: '/firewalls/0/ipsets', message: `cannot read ipset file ${path.join(dir, 'gw.ipsets')}: no such file` },
      {
        line: 15,
        column: 25,
        path: '/firewalls/1/config/0',
        message: `cannot read configuration file ${path.join(dir, 'd1.rules')}: no such file`,
      },
    ]);
  });
});
