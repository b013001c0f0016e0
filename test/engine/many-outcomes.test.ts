/**
 * Rule sets whose evaluation ends in more outcomes than a call's arguments can hold (a spread of
 * ~120,000 values into push() overflows the call stack), and undecided rules before thousands of
 * others: the evaluator gives every outcome, with no quadratic join of the two branches, and
 * packets that end alike for the same reasons in one outcome.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Evaluator } from '../../src/engine/evaluate';
import { PacketSet } from '../../src/packetset';
import { compile, filterTable } from '../helpers/programs';

/** The i-th address of 10.0.0.0/8, dotted. */
function address(i: number): string {
  return `10.${(i >> 16) & 255}.${(i >> 8) & 255}.${i & 255}`;
}

/** INPUT (policy DROP): first a rule whose match is undecided (limit), then `count` rules accepting one destination each. */
function undecidedThenAccepts(count: number, undecided: string): string {
  const lines = [`-A INPUT ${undecided}`];
  for (let i = 0; i < count; i++) lines.push(`-A INPUT -d ${address(i)}/32 -j ACCEPT`);
  return filterTable({ INPUT: 'DROP' }, lines);
}

function evaluateInput(text: string) {
  const program = compile(text);
  const point = program.points.find((p) => p.id === 'INPUT')!;
  return new Evaluator(program).evaluatePoint(point, PacketSet.full(4));
}

describe('outcomes by the hundred thousand', () => {
  it('an undecided DROP before 130,000 accepting rules: the accepted addresses undetermined, as one outcome, the rest dropped', () => {
    const count = 130_000;
    const outcomes = evaluateInput(undecidedThenAccepts(count, '-m limit --limit 1/s -j DROP'));
    // Limited packets are dropped, unlimited ones accepted by their rule: undetermined, all for the same reason; the rest dropped either way.
    const undetermined = outcomes.filter((o) => o.verdict === 'undetermined');
    assert.equal(undetermined.length, 1);
    assert.equal(undetermined[0]!.rule?.source.line, 5);
    assert.deepEqual(
      undetermined[0]!.reasons.map((r) => r.rule.source.line),
      [5],
    );
    assert.equal(undetermined[0]!.set.size(), (BigInt(count) * PacketSet.full(4).size()) / 2n ** 32n);
    const dropped = outcomes.filter((o) => o.verdict === 'drop');
    assert.equal(dropped.length, 1);
    assert.equal(dropped[0]!.rule, null);
    assert.equal(outcomes.length, 2);
    assert.equal(PacketSet.full(4).size() - dropped[0]!.set.size(), undetermined[0]!.set.size());
  });

  it('an undecided ACCEPT before 130,000 accepting rules: each later rule decides its own address, one outcome each', () => {
    const count = 130_000;
    const outcomes = evaluateInput(undecidedThenAccepts(count, '-m limit --limit 1/s -j ACCEPT'));
    // Accepted by the limit rule or by a later one: accepted, decided by the later rule; elsewhere the policy drops.
    const accepted = outcomes.filter((o) => o.verdict === 'accept');
    assert.equal(accepted.length, count);
    assert.deepEqual(
      accepted.slice(0, 3).map((o) => o.rule?.source.line),
      [6, 7, 8],
    );
    assert.equal(outcomes.filter((o) => o.verdict === 'undetermined').length, 1);
    assert.equal(outcomes.length, count + 1);
  });
});
