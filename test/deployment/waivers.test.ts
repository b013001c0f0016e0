import * as assert from 'node:assert/strict';
import * as path from 'node:path';
import { describe, it } from 'node:test';
import { loadWaivers } from '../../src/audit/waivers';
import { brief, diagnosticsThrownBy, lines, SITE_DIR, tempDir } from './support';

describe('loadWaivers', () => {
  it('reads a waiver list, remembering where each waiver is', () => {
    const file = path.join(SITE_DIR, 'waivers.yml');
    assert.deepEqual(loadWaivers(file), [
      {
        fingerprint: '3f1c9a0b7d2e4f61',
        reason: 'the old monitoring rule goes with the migration in March',
        expires: '2031-03-31',
        location: { file, line: 1, column: 3, path: '/0' },
      },
      {
        requirement: 'rp-director-http',
        firewall: 'core-gw',
        kind: 'missing',
        reason: 'no mobile autodiscover on this site (erratum E5)',
        location: { file, line: 4, column: 3, path: '/1' },
      },
    ]);
  });

  it('an empty list waives nothing', () => {
    assert.deepEqual(loadWaivers(path.join(tempDir({ 'w.json': '[]' }), 'w.json')), []);
  });

  it('reports a waiver without a reason, one that would match everything, a bad date and kind', () => {
    const file = path.join(
      tempDir({
        'waivers.yml': lines(
          '- requirement: rp-director-http',
          '- reason: everything is fine',
          '- firewall: core-gw',
          '  reason: temporary',
          '  expires: 2031-02-30',
          '  kind: missin',
          '  owner: alice',
        ),
      }),
      'waivers.yml',
    );
    assert.deepEqual(diagnosticsThrownBy(() => loadWaivers(file)).map(brief), [
      { line: 1, column: 3, path: '/0', message: "missing required property 'reason'" },
      {
        line: 2,
        column: 3,
        path: '/1',
        message: 'a waiver needs at least one of fingerprint, requirement, firewall, kind: without them it would waive every finding',
      },
      { line: 5, column: 12, path: '/2/expires', message: 'expected a date YYYY-MM-DD, got "2031-02-30"' },
      {
        line: 6,
        column: 9,
        path: '/2/kind',
        message: 'expected one of missing, overly-broad, extraneous, shadowed, undetermined, unfiltered, not-loaded, got "missin"',
      },
      {
        line: 7,
        column: 3,
        path: '/2/owner',
        message: "unknown property 'owner'; expected one of fingerprint, requirement, firewall, kind, reason, expires",
      },
    ]);
  });
});
