/** `--baseline` of what is no report: a located input error (exit 2), never a crash or a read without end. */
import assert from 'node:assert/strict';
import * as path from 'node:path';
import { describe, it } from 'node:test';
import { runCli, tempTree } from '../helpers/cli';
import { FIXTURES_DIR } from '../helpers/paths';

const DEPLOYMENT = path.join(FIXTURES_DIR, 'example', 'fwmatrix.yml');

describe('hostile --baseline files', () => {
  const dir = tempTree({
    'null.json': 'null',
    'number.json': '42',
    'array.json': '{"findings": {}}',
    'null-finding.json': JSON.stringify({ findings: [{ fingerprint: 'x' }, null] }),
    'no-fingerprint.json': JSON.stringify({ findings: [{ fingerprint: 7 }] }),
  });
  for (const [file, pattern] of [
    // Not even an object: refused at its first bytes.
    ['null.json', /null\.json: expected an fwmatrix JSON report \(--format json\), which starts with \{/],
    ['number.json', /number\.json: expected an fwmatrix JSON report \(--format json\), which starts with \{/],
    ['array.json', /at \/findings: expected an fwmatrix JSON report with a "findings" list/],
    ['null-finding.json', /at \/findings\/1: expected a finding object with a "fingerprint" string/],
    ['no-fingerprint.json', /at \/findings\/0: expected a finding object/],
  ] as const) {
    it(`${file}: exit 2 with the location`, async () => {
      const run = await runCli(['audit', DEPLOYMENT, '--baseline', path.join(dir, file)]);
      assert.equal(run.code, 2, run.stderr);
      assert.match(run.stderr, pattern);
    });
  }

  it('/dev/zero: refused at its first bytes, not read until memory runs out', async () => {
    const run = await runCli(['audit', DEPLOYMENT, '--baseline', '/dev/zero']);
    assert.equal(run.code, 2, run.stderr);
    assert.match(run.stderr, /\/dev\/zero: expected an fwmatrix JSON report \(--format json\), which starts with \{/);
  });
});
