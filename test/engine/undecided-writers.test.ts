/**
 * A rule the engine cannot decide that writes metadata (MARK, CONNMARK, NOTRACK) in an early
 * table, where both branches pass the stage: the later tables must see that the metadata may have
 * changed (undetermined, naming the writer), in the tracer as in the set evaluator.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { compile, evaluateProbe, trace } from '../helpers/programs';
import type { Probe } from '../../src/app/trace';

const probe: Probe = { from: '192.0.2.1', to: '198.51.100.1', proto: 'tcp', dport: 22, in: 'eth0' };

function ruleset(writer: string, reader: string): string {
  return [
    '*mangle',
    `-A PREROUTING -p tcp -m limit --limit 5/s ${writer}`,
    'COMMIT',
    '*filter',
    ':INPUT ACCEPT [0:0]',
    `-A INPUT ${reader} -j DROP`,
    'COMMIT',
    '',
  ].join('\n');
}

describe('metadata an undecided rule may write', () => {
  for (const [writer, reader, metadata] of [
    ['-j MARK --set-xmark 0x1/0xffffffff', '-m mark --mark 0x1', 'packet mark'],
    ['-j CONNMARK --set-xmark 0x1/0xffffffff', '-m connmark --mark 0x1', 'connection mark'],
    ['-j MARK --or-mark 0x4', '-m mark --mark 0x4/0x4', 'packet mark'],
    ['-j CONNMARK --xor-mark 0x2', '-m connmark --mark 0x2/0x2', 'connection mark'],
  ] as const) {
    it(`${writer} then ${reader}: undetermined in both engines, naming the writer`, () => {
      const program = compile(ruleset(writer, reader));
      const traced = trace(program, probe);
      const evaluated = evaluateProbe(program, probe);
      assert.equal(traced.verdict, 'undetermined');
      assert.equal(evaluated.verdict, 'undetermined');
      assert.ok(
        traced.reasons.some((r) => r.rule.line === 6 && r.why.includes(`${metadata} it reads may have been changed by the rule at line 2`)),
        JSON.stringify(traced.reasons),
      );
      assert.ok(evaluated.reasons.some((r) => r.rule.source.line === 6 && r.why.includes('line 2')));
    });
  }

  it('a writer on the branch that is not taken in the same stage does not leak into the other branch', () => {
    const text = [
      '*filter',
      ':INPUT DROP [0:0]',
      ':W - [0:0]',
      '-A INPUT -p tcp -m limit --limit 5/s -j W',
      '-A INPUT -m mark --mark 0 -j ACCEPT',
      '-A W -j MARK --set-xmark 0x1/0xffffffff',
      '-A W -j ACCEPT',
      'COMMIT',
      '',
    ].join('\n');
    const program = compile(text);
    // Matched: W marks and accepts. Not matched: the mark is still 0 (W never ran), INPUT accepts. Both accept.
    assert.equal(trace(program, probe).verdict, 'accept');
    assert.equal(evaluateProbe(program, probe).verdict, 'accept');
  });
});
