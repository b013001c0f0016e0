import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { describe, it } from 'node:test';
import { loadDeployment } from '../../src/deployment';
import { validateFile } from '../../src/app/validate';
import { MAX_INPUT_BYTES, MAX_NESTING } from '../../src/input/document';
import { brief, diagnosticsThrownBy, lines, tempDir } from './support';

/** Loads a deployment from `text`, and how long refusing it took. */
function refuse(text: string): { problems: ReturnType<typeof brief>[]; ms: number } {
  const file = path.join(tempDir({ 'fwmatrix.yml': text }), 'fwmatrix.yml');
  const start = Date.now();
  const problems = diagnosticsThrownBy(() => loadDeployment(file)).map(brief);
  return { problems, ms: Date.now() - start };
}

describe('hostile input', () => {
  it('refuses an alias bomb quickly', () => {
    // "Billion laughs": each level aliases the previous one 9 times; 9^10 strings once expanded.
    const levels = ['a: &a ["lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol"]'];
    for (const [previous, name] of ['ab', 'bc', 'cd', 'de', 'ef', 'fg', 'gh', 'hi', 'ij', 'jk']) {
      levels.push(`${name}: &${name} [${Array(9).fill(`*${previous}`).join(', ')}]`);
    }
    const { problems, ms } = refuse(lines(...levels));
    assert.deepEqual(problems, [{ message: 'aliases (*name) expand to too many nodes, as in an alias bomb: refused' }]);
    assert.ok(ms < 2000, `took ${ms} ms`);
  });

  it('still allows anchors and aliases of ordinary size', () => {
    const file = path.join(
      tempDir({
        'fwmatrix.yml': lines(
          'matrix: lync2013-director-single',
          'roles:',
          '  director: &directors [198.51.100.11, 198.51.100.12]',
          '  front-end: *directors',
          'firewalls:',
          '  - { name: d1, config: d1.rules, placement: host, host: *directors }',
        ),
      }),
      'fwmatrix.yml',
    );
    const deployment = loadDeployment(file);
    assert.deepEqual(deployment.roles.get('front-end'), ['198.51.100.11', '198.51.100.12']);
    assert.deepEqual(deployment.locate('/firewalls/0/host/1'), { file, line: 3, column: 40, path: '/firewalls/0/host/1' });
  });

  it('refuses deep nesting before the parser recurses into it', () => {
    const { problems, ms } = refuse('['.repeat(5_000_000));
    assert.deepEqual(problems, [{ line: 1, message: `nested more than ${MAX_NESTING} levels deep: refused` }]);
    assert.ok(ms < 2000, `took ${ms} ms`);
    assert.deepEqual(refuse(lines('matrix: x', 'roles:', `  ${'- '.repeat(100)}x`)).problems, [
      { line: 3, message: `nested more than ${MAX_NESTING} levels deep: refused` },
    ]);
  });

  it('does not count brackets in quoted text or comments', () => {
    const file = path.join(
      tempDir({
        'fwmatrix.yml': lines(
          `# ${'['.repeat(100)}`,
          'matrix: lync2013-director-single',
          `roles: { director: ["198.51.100.11"] }  # ${'{'.repeat(100)}`,
          `firewalls: [{ name: "${'['.repeat(100)}", config: '${'{'.repeat(100)}''', placement: host, host: [198.51.100.11] }]`,
        ),
      }),
      'fwmatrix.yml',
    );
    assert.equal(loadDeployment(file).firewalls[0].configs[0], path.join(path.dirname(file), `${'{'.repeat(100)}'`));
  });

  it('refuses a file larger than 10 MiB unread', () => {
    const dir = tempDir();
    const file = path.join(dir, 'huge.yml');
    fs.writeFileSync(file, '');
    fs.truncateSync(file, MAX_INPUT_BYTES + 1);
    const start = Date.now();
    assert.deepEqual(diagnosticsThrownBy(() => loadDeployment(file)).map(brief), [
      { message: 'larger than 10 MiB: refused (deployment, matrix and waiver files are small)' },
    ]);
    assert.ok(Date.now() - start < 500);
  });

  it('says why a file cannot be read', () => {
    const dir = tempDir();
    assert.deepEqual(validateFile(path.join(dir, 'missing.yml')).diagnostics.map(brief), [{ message: 'cannot read: no such file' }]);
    assert.deepEqual(validateFile(dir).diagnostics.map(brief), [{ message: 'is a directory; expected a file' }]);
  });
});
