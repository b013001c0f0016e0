/**
 * The size cap on configurations: a real dump of a million rules (about 100 MB, over the old
 * 64 MiB cap) is read; files over 1 GiB are refused by their size, unread; devices such as
 * /dev/zero, which have no size, are refused as not regular files (exit 2, never a hang).
 */
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { describe, it } from 'node:test';
import { MAX_CONFIG_BYTES, readConfigText } from '../../src/normalize';
import { InputError } from '../../src/model/errors';
import { runCli, tempTree } from '../helpers/cli';

function refusal(file: string): string {
  try {
    readConfigText(file);
  } catch (e) {
    assert.ok(e instanceof InputError, String(e));
    return e.diagnostics.map((d) => d.message).join('; ');
  }
  assert.fail(`${file} was read`);
}

describe('configuration size', () => {
  it('reads a 70 MiB rule set', () => {
    const line = `-A INPUT -s 10.0.0.1/32 -p tcp -m tcp --dport 443 -j ACCEPT\n`;
    const count = Math.ceil((70 * 1024 * 1024) / line.length);
    const text = `*filter\n:INPUT DROP [0:0]\n${line.repeat(count)}COMMIT\n`;
    const dir = tempTree({ 'large.rules': text });
    try {
      assert.equal(readConfigText(path.join(dir, 'large.rules')).length, text.length);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  it('refuses a file over 1 GiB by its size, without reading it', () => {
    const dir = tempTree({});
    const file = path.join(dir, 'huge.rules');
    try {
      fs.writeFileSync(file, '');
      fs.truncateSync(file, MAX_CONFIG_BYTES + 1);
      assert.equal(refusal(file), `the file is ${MAX_CONFIG_BYTES + 1} bytes; configurations over ${MAX_CONFIG_BYTES} bytes are refused`);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  it('refuses /dev/zero as not a regular file, and the CLI exits 2', async () => {
    assert.equal(refusal('/dev/zero'), 'not a regular file (a device, pipe or folder): expected a file');
    const run = await runCli([
      'trace',
      '/dev/zero',
      '--type',
      'iptables',
      '--from',
      '192.0.2.1',
      '--to',
      '198.51.100.1',
      '--proto',
      'tcp',
      '--dport',
      '22',
    ]);
    assert.equal(run.code, 2);
    assert.match(run.stderr, /not a regular file/);
  });
});
