/**
 * The two branches of a rule whose match fwmatrix cannot tell: packets that end alike are one
 * outcome, those undetermined for different reasons stay apart, each with its own reasons.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Evaluator } from '../../src/engine/evaluate';
import { PacketSet } from '../../src/packetset';
import { probePacket } from '../../src/app/trace';
import { compile, filterTable } from '../helpers/programs';

const program = compile(
  filterTable(
    { INPUT: 'DROP' },
    [
      '-A INPUT -m limit --limit 1/s -j CHECK',
      '-A INPUT -s 192.0.2.3/32 -j ACCEPT',
      '-A CHECK -s 192.0.2.1/32 -m recent --rcheck --name seen -j ACCEPT',
      '-A CHECK -s 192.0.2.2/32 -m mac --mac-source 02:00:00:00:00:01 -j ACCEPT',
      '-A CHECK -s 192.0.2.3/32 -j DROP',
      '-A CHECK -s 192.0.2.5/32 -j DROP',
    ],
    ['CHECK'],
  ),
);

test('an undecided jump: each source undetermined for its own reasons, the packets both branches drop one outcome', () => {
  const point = program.points.find((p) => p.id === 'INPUT')!;
  const outcomes = new Evaluator(program).evaluatePoint(point, PacketSet.full(4));
  const end = (from: string) => {
    const { packet } = probePacket([program], { from, to: '198.51.100.1', proto: 'tcp', dport: 443, in: 'eth0' }, { file: 'test' });
    const [outcome, ...others] = outcomes.filter((o) => o.set.contains(packet));
    assert.equal(others.length, 0, `${from} is in more than one outcome`);
    return [outcome!.verdict, outcome!.rule?.source.line ?? null, outcome!.reasons.map((r) => r.rule.source.line)];
  };
  // Limited or not, and seen or not (line 8), or with the right MAC or not (line 9): accepted one way, dropped the other.
  assert.deepEqual(end('192.0.2.1'), ['undetermined', 6, [6, 8]]);
  assert.deepEqual(end('192.0.2.2'), ['undetermined', 6, [6, 9]]);
  // Dropped by CHECK if limited, accepted by line 7 if not.
  assert.deepEqual(end('192.0.2.3'), ['undetermined', 6, [6]]);
  assert.deepEqual(end('192.0.2.4'), ['drop', null, []]);
  // Dropped by line 11 or by the policy: the policy's, as if line 6 never matched.
  assert.deepEqual(end('192.0.2.5'), ['drop', null, []]);
  // The three undetermined sources and what the policy drops either way: four outcomes, however the branches ended inside.
  assert.equal(outcomes.length, 4);
});
