/** The README's Node example runs as written, from the repository root, against the package's entry point. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
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

/** The README's shell examples: `npx fwmatrix …` lines, continuation lines joined, comments dropped. */
function readmeCommands(): string[] {
  const readme = fs.readFileSync(path.join(REPO_ROOT, 'README.md'), 'utf8');
  const blocks = [...readme.matchAll(/```sh\n([\s\S]*?)```/g)].map((m) => m[1]);
  const lines = blocks
    .join('\n')
    .replace(/\\\n\s*/g, ' ')
    .split('\n');
  return lines.map((line) => line.replace(/\s+#.*$/, '').trim()).filter((line) => line.startsWith('npx fwmatrix '));
}

test('every fwmatrix command of the README runs as written from the repository root, with the exit code it says', () => {
  const commands = readmeCommands();
  assert.ok(commands.length >= 10, `${commands.length} commands found`);
  // A folder that looks like the repository root, so that the reports the commands write land outside the clone.
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'fwmatrix-readme-'));
  for (const entry of ['fixtures', 'matrices', 'test']) fs.symlinkSync(path.join(REPO_ROOT, entry), path.join(dir, entry));
  const bin = path.join(REPO_ROOT, 'bin', 'fwmatrix.js');
  for (const command of commands) {
    const run = spawnSync('/bin/sh', ['-c', command.replace(/^npx fwmatrix /, `"${process.execPath}" "${bin}" `)], {
      cwd: dir,
      encoding: 'utf8',
    });
    // audit finds what the example holds (exit 1); everything else succeeds.
    const expected = / audit /.test(` ${command} `) ? 1 : 0;
    assert.equal(run.status, expected, `${command}\n${run.stderr}`);
    assert.equal(run.stderr, '', command);
  }
  for (const written of ['report.json', 'fwmatrix.sarif', 'fwmatrix.xml', 'report.md'])
    assert.ok(fs.statSync(path.join(dir, written)).size > 1000, written);
});
