/**
 * Jump chains nested thousands deep (iptables-legacy loads 3,000 levels; the nft backend stops at 16):
 * the set evaluator, the tracer and the audit follow them without running out of call stack.
 */
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { describe, it } from 'node:test';
import { Evaluator } from '../../src/engine/evaluate';
import { PacketSet } from '../../src/packetset';
import { compile, evaluateProbe, filterTable, trace } from '../helpers/programs';
import { runCli } from '../helpers/cli';
import type { Probe } from '../../src/app/trace';

/** INPUT jumps to c1, each cI jumps (or goes) to cI+1; the deepest drops TCP port 22 and returns; on the way back c1 accepts UDP. */
function nested(depth: number, via: '-j' | '-g'): string {
  const chains = Array.from({ length: depth }, (_, i) => `c${i + 1}`);
  const lines = ['-A INPUT -j c1'];
  for (let i = 1; i < depth; i++) lines.push(`-A c${i} ${via} c${i + 1}`, `-A c${i} -p udp -j ACCEPT`);
  lines.push(`-A c${depth} -p tcp -m tcp --dport 22 -j DROP`, `-A c${depth} -p tcp -m tcp --dport 23 -m limit --limit 1/s -j REJECT`);
  return filterTable({ INPUT: 'DROP' }, lines, chains);
}

const probe = (proto: 'tcp' | 'udp', dport: number): Probe => ({ from: '192.0.2.1', to: '198.51.100.1', proto, dport, in: 'eth0' });

describe('deeply nested chains', () => {
  for (const via of ['-j', '-g'] as const) {
    it(`3,000 levels of ${via}: decided by the deepest rule, and by the rules on the way back`, () => {
      const program = compile(nested(3000, via));
      // Lines: 4 of the table and policies, 3,000 declarations, INPUT's jump, two rules per chain, then the deepest two.
      const deepest = 4 + 3000 + 1 + 2 * 2999 + 1;
      const expected: [Probe, string, number | null][] = [
        [probe('tcp', 22), 'drop', deepest],
        // -j comes back up through every chain (c2999's udp rule accepts); -g returns to INPUT, whose policy drops.
        [probe('udp', 53), via === '-j' ? 'accept' : 'drop', via === '-j' ? deepest - 1 : null],
        [probe('tcp', 80), 'drop', null],
      ];
      for (const [p, verdict, line] of expected) {
        const traced = trace(program, p);
        const evaluated = evaluateProbe(program, p);
        assert.equal(traced.verdict, verdict, JSON.stringify(p));
        assert.equal(evaluated.verdict, verdict);
        assert.equal(traced.decidedBy?.line ?? null, line);
        assert.equal(evaluated.rule?.source.line ?? null, line);
      }
      // A rule it cannot decide, at the bottom: both branches are followed back up through every caller.
      const unknown = trace(program, probe('tcp', 23));
      assert.equal(unknown.verdict, 'drop');
      assert.equal(evaluateProbe(program, probe('tcp', 23)).verdict, 'drop');
    });
  }

  it('the set evaluator takes every packet of INPUT through 3,000 levels', () => {
    const program = compile(nested(3000, '-j'));
    const point = program.points.find((p) => p.id === 'INPUT')!;
    const outcomes = new Evaluator(program).evaluatePoint(point, PacketSet.full(4));
    assert.ok(PacketSet.unionOfDisjoint(outcomes.map((o) => o.set)).equals(PacketSet.full(4)));
  });

  it('fwmatrix trace exits 0 on a 3,000-level dump', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'fwmatrix-deep-'));
    const file = path.join(dir, 'deep.rules');
    fs.writeFileSync(file, nested(3000, '-j'));
    const traced = await runCli([
      'trace',
      file,
      '--from',
      '192.0.2.1',
      '--to',
      '198.51.100.1',
      '--proto',
      'tcp',
      '--dport',
      '22',
      '--type',
      'iptables',
    ]);
    assert.equal(traced.code, 0, traced.stderr);
    assert.match(traced.stdout, /verdict: drop/);
    fs.rmSync(dir, { recursive: true, force: true });
  });
});
