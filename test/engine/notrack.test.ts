/**
 * NOTRACK and CT --notrack (Linux 6.18, seen in namespaces): the packet gets no conntrack entry,
 * so its state is exactly UNTRACKED, -m connmark never matches (even negated), and the nat table,
 * which sees only a connection's first packet, does not see it.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { compile, evaluateProbe, trace } from '../helpers/programs';
import type { Probe } from '../../src/app/trace';

const probe: Probe = { from: '192.0.2.1', to: '198.51.100.1', proto: 'tcp', dport: 22, in: 'eth0' };

function verdictOf(text: string, p: Probe = probe): [string, number | null] {
  const program = compile(text);
  const traced = trace(program, p);
  const evaluated = evaluateProbe(program, p);
  assert.equal(evaluated.verdict, traced.verdict, 'the evaluator and the tracer agree');
  assert.equal(evaluated.rule?.source.line ?? null, traced.decidedBy?.line ?? null);
  return [traced.verdict, traced.decidedBy?.line ?? null];
}

const raw = (untrack: string): string[] => ['*raw', `-A PREROUTING -p tcp ${untrack}`, 'COMMIT'];
const filter = (...rules: string[]): string[] => ['*filter', ':INPUT DROP [0:0]', ...rules, 'COMMIT', ''];

describe('NOTRACK', () => {
  for (const untrack of ['-j NOTRACK', '-j CT --notrack']) {
    it(`${untrack}: the state is UNTRACKED, nothing else`, () => {
      const rules = ['-A INPUT -m state --state NEW,INVALID -j REJECT', '-A INPUT -m conntrack --ctstate UNTRACKED -j ACCEPT'];
      assert.deepEqual(verdictOf([...raw(untrack), ...filter(...rules)].join('\n')), ['accept', 7]);
      // Without NOTRACK the packet is NEW.
      assert.deepEqual(verdictOf(['*raw', 'COMMIT', ...filter(...rules)].join('\n')), ['reject', 5]);
    });

    it(`${untrack}: -m connmark never matches, negated or not`, () => {
      const rules = ['-A INPUT -m connmark --mark 0 -j REJECT', '-A INPUT -m connmark ! --mark 0 -j REJECT', '-A INPUT -j ACCEPT'];
      assert.deepEqual(verdictOf([...raw(untrack), ...filter(...rules)].join('\n')), ['accept', 8]);
    });
  }

  it('a later raw rule sees the packet UNTRACKED', () => {
    const text = [
      '*raw',
      '-A PREROUTING -j NOTRACK',
      '-A PREROUTING -m state --state UNTRACKED -j DROP',
      'COMMIT',
      ...filter('-A INPUT -j ACCEPT'),
    ];
    assert.deepEqual(verdictOf(text.join('\n')), ['drop', 3]);
  });

  it('the nat table does not see untracked packets', () => {
    const text = [
      ...raw('-j NOTRACK'),
      '*nat',
      '-A PREROUTING -p tcp -j DNAT --to-destination 203.0.113.9',
      'COMMIT',
      ...filter('-A INPUT -j ACCEPT'),
    ];
    assert.deepEqual(verdictOf(text.join('\n')), ['accept', 9]);
    const tracked = ['*nat', '-A PREROUTING -p tcp -j DNAT --to-destination 203.0.113.9', 'COMMIT', ...filter('-A INPUT -j ACCEPT')];
    assert.equal(verdictOf(tracked.join('\n'))[0], 'undetermined');
  });

  it('an undecided NOTRACK leaves the state unknown to later rules, in both engines', () => {
    const text = [...raw('-m limit --limit 1/s -j NOTRACK'), ...filter('-A INPUT -m state --state UNTRACKED -j ACCEPT')];
    const [verdict] = verdictOf(text.join('\n'));
    assert.equal(verdict, 'undetermined');
    assert.match(
      trace(compile(text.join('\n')), probe)
        .reasons.map((r) => r.why)
        .join('\n'),
      /connection tracking state .* line 2/,
    );
  });
});
