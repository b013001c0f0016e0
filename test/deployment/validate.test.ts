import * as assert from 'node:assert/strict';
import * as path from 'node:path';
import { describe, it } from 'node:test';
import { validateFile } from '../../src/app/validate';
import { formatDiagnostic } from '../../src/model/errors';
import { REPO_ROOT } from '../helpers/paths';
import { brief, lines, SITE_DIR, tempDir } from './support';

describe('validateFile', () => {
  it('tells deployments, matrices and waiver files apart and finds them valid', () => {
    assert.deepEqual(validateFile(path.join(SITE_DIR, 'fwmatrix.yml')), { kind: 'deployment', diagnostics: [] });
    assert.deepEqual(validateFile(path.join(SITE_DIR, 'custom-matrix.yml')), { kind: 'deployment', diagnostics: [] });
    assert.deepEqual(validateFile(path.join(SITE_DIR, 'matrices', 'web-only.yml')), { kind: 'matrix', diagnostics: [] });
    assert.deepEqual(validateFile(path.join(REPO_ROOT, 'matrices', 'lync2013-director-hlb.json')), { kind: 'matrix', diagnostics: [] });
    assert.deepEqual(validateFile(path.join(SITE_DIR, 'waivers.yml')), { kind: 'waivers', diagnostics: [] });
  });

  it('checks a deployment against its matrix and its files, in the order of the file', () => {
    const dir = tempDir({
      'fwmatrix.yml': lines(
        'matrix: lync2013-director-single',
        'roles:',
        '  director: [198.51.100.11]',
        '  directr: [198.51.100.12]',
        'firewalls:',
        '  - { name: d1, config: d1.rules, placement: host, host: [198.51.100.11] }',
      ),
    });
    const file = path.join(dir, 'fwmatrix.yml');
    const result = validateFile(file);
    assert.equal(result.kind, 'deployment');
    assert.deepEqual(
      result.diagnostics.map(brief).map(({ line, path: pointer }) => [line, pointer]),
      [
        [2, '/roles'],
        [2, '/roles'],
        [2, '/roles'],
        [2, '/roles'],
        [4, '/roles/directr'],
        [6, '/firewalls/0/config/0'],
      ],
    );
    assert.equal(
      formatDiagnostic(result.diagnostics[4]),
      `${file}:4:3: at /roles/directr: unknown role 'directr' for matrix lync2013-director-single (did you mean 'director'?); expected one of reverse-proxy-internal, director, front-end, internal-clients, edge-internal, any`,
    );
  });

  it('reports schema errors of each kind', () => {
    const dir = tempDir({
      'matrix.yml': lines('id: m', 'title: M', 'description: M.', 'roles: []', 'requirements: []'),
      'waivers.yml': lines('- reason: 42', '  kind: missing'),
    });
    assert.deepEqual(validateFile(path.join(dir, 'matrix.yml')), {
      kind: 'matrix',
      diagnostics: [
        { location: { file: path.join(dir, 'matrix.yml'), line: 4, column: 8, path: '/roles' }, message: 'expected a non-empty list' },
        {
          location: { file: path.join(dir, 'matrix.yml'), line: 5, column: 15, path: '/requirements' },
          message: 'expected a non-empty list',
        },
      ],
    });
    assert.deepEqual(validateFile(path.join(dir, 'waivers.yml')), {
      kind: 'waivers',
      diagnostics: [
        { location: { file: path.join(dir, 'waivers.yml'), line: 1, column: 11, path: '/0/reason' }, message: 'expected a string, got 42' },
      ],
    });
  });

  it('says so when a file is none of the three', () => {
    const file = path.join(tempDir({ 'other.yml': lines('name: something else') }), 'other.yml');
    assert.deepEqual(validateFile(file), {
      diagnostics: [
        {
          location: { file },
          message:
            'cannot tell what this file is: expected a deployment (a mapping with matrix, roles, firewalls), a matrix (a mapping with requirements) or a waiver file (a list of waivers)',
        },
      ],
    });
  });
});
