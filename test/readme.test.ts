/** The README's Node example runs as written, from the repository root, against the package's entry point. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { REPO_ROOT } from './helpers/paths';

test("the README's API example prints the example's verdict and a trace", () => {
  const readme = fs.readFileSync(path.join(REPO_ROOT, 'README.md'), 'utf8');
  const example = /## Use it from Node[\s\S]*?```js\n([\s\S]*?)```/.exec(readme)?.[1];
  assert.ok(example, 'the README has a js block under "Use it from Node"');
  // A folder where require('fwmatrix') finds this repository, as it would an installed copy.
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'fwmatrix-readme-'));
  fs.mkdirSync(path.join(dir, 'node_modules'));
  fs.symlinkSync(REPO_ROOT, path.join(dir, 'node_modules', 'fwmatrix'));
  fs.writeFileSync(path.join(dir, 'example.js'), example);
  const out = execFileSync(process.execPath, [path.join(dir, 'example.js')], { cwd: REPO_ROOT, encoding: 'utf8' });
  const lines = out.trimEnd().split('\n');
  assert.equal(lines[0], 'fail 16 findings');
  assert.ok(lines.includes('director01 rp-director-https denied'));
  assert.ok(lines.includes('**FAIL (fail on high): 4 high, 9 medium, 3 low; 0 suppressed**'));
  assert.equal(lines[lines.length - 1], "drop the INPUT chain's default policy");
});
