import * as assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { formatDiagnostic, InputError } from '../../src/model/errors';

describe('formatDiagnostic', () => {
  it('writes file:line:column, then the path inside the document, then the message', () => {
    assert.equal(
      formatDiagnostic({
        location: { file: 'fwmatrix.yml', line: 9, column: 16, path: '/firewalls/0/placement' },
        message: 'expected one of host, network',
      }),
      'fwmatrix.yml:9:16: at /firewalls/0/placement: expected one of host, network',
    );
    assert.equal(formatDiagnostic({ location: { file: 'rules.v4', line: 12 }, message: 'unknown option' }), 'rules.v4:12: unknown option');
    assert.equal(
      formatDiagnostic({ location: { file: 'fwmatrix.yml', path: '/firewalls/0/host' }, message: 'expected a list' }),
      'fwmatrix.yml: at /firewalls/0/host: expected a list',
    );
    assert.equal(formatDiagnostic({ location: { file: 'big.yml' }, message: 'refused' }), 'big.yml: refused');
  });

  it('InputError carries its diagnostics and prints one a line', () => {
    const error = new InputError([
      { location: { file: 'a.yml', line: 1 }, message: 'first' },
      { location: { file: 'a.yml', line: 2 }, message: 'second' },
    ]);
    assert.equal(error.message, 'a.yml:1: first\na.yml:2: second');
    assert.equal(error.name, 'InputError');
    assert.equal(error.diagnostics.length, 2);
  });
});
