/**
 * The set evaluator, run once over all new connections, must put every packet where the
 * rule-by-rule tracer puts it: the two are independent implementations of the same semantics.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { boundaryProbes, generateRuleset } from '../kernel/generate';
import { compile } from '../helpers/programs';
import { Evaluator } from '../../src/engine/evaluate';
import { newConnections } from '../../src/audit/scope';
import { probePacket, traceProbe } from '../../src/app/trace';

const SEEDS = Array.from({ length: 40 }, (_, i) => 1000 + i);

for (const family of [4, 6] as const) {
  test(`set evaluation agrees with the tracer on generated IPv${family} rule sets`, () => {
    let compared = 0;
    for (const seed of SEEDS) {
      const text = generateRuleset(seed, family);
      const program = compile(text, ['eth0', 'eth1', 'wlan0']);
      const probes = boundaryProbes(text, {
        family,
        seed,
        count: 60,
        interfaces: ['eth0', 'eth1', 'wlan0'],
        usable: () => true,
        extraAddresses: [],
      });
      const evaluator = new Evaluator(program);
      const outcomes = new Map(program.points.map((point) => [point.id, evaluator.evaluatePoint(point, newConnections([family]))]));
      for (const probe of probes) {
        const { packet, chain } = probePacket([program], probe, { file: 'probe' });
        const traced = traceProbe([program], probe, { file: 'probe' });
        const containing = outcomes.get(chain)!.filter((o) => o.set.contains(packet));
        assert.equal(containing.length, 1, `seed ${seed}: packet ${JSON.stringify(probe)} is in ${containing.length} outcomes`);
        const [outcome] = containing;
        assert.equal(outcome.verdict, traced.verdict, `seed ${seed}, probe ${JSON.stringify(probe)}:\n${text}`);
        if (traced.verdict !== 'undetermined')
          assert.equal(
            outcome.rule?.source.line ?? null,
            traced.decidedBy?.line ?? null,
            `seed ${seed}: deciding line, probe ${JSON.stringify(probe)}`,
          );
        compared++;
      }
    }
    assert.ok(compared >= 1000, `only ${compared} probes compared`);
  });
}
