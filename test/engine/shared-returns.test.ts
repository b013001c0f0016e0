/**
 * Undetermined branches that return to the same caller (TUM's per-interface MAC chains: `-s A -m
 * mac … -j RETURN` then `-s A -j DROP`, for many A) share where the packets that jumped end after
 * it. Every packet must still end where the rule-by-rule tracer puts it, in a stage that writes no
 * metadata (shared) and in one that does (not shared: a MAC chain marks some packets on one branch).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Random } from '../../bench/generate/random';
import { compile } from '../helpers/programs';
import { Evaluator } from '../../src/engine/evaluate';
import { newConnections } from '../../src/audit/scope';
import { probePacket, traceProbe, type Probe } from '../../src/app/trace';

const INTERFACES = ['eth0', 'eth1', 'wlan0'];

/** A filter table whose INPUT jumps per interface to a MAC chain of `hosts` guarded sources, then decides by port. */
function macChains(seed: number, hosts: number, writesMark: boolean): string {
  const random = new Random(seed);
  const chains = INTERFACES.map((_, i) => `mac_${i}`);
  const lines = ['*filter', ':INPUT DROP [0:0]', ':FORWARD DROP [0:0]', ':OUTPUT ACCEPT [0:0]', ...chains.map((c) => `:${c} - [0:0]`)];
  INTERFACES.forEach((name, i) => lines.push(`-A INPUT -i ${name} -j ${chains[i]}`));
  for (let port = 0; port < 6; port++) {
    const verdict = random.chance(0.5) ? 'ACCEPT' : 'DROP';
    lines.push(`-A INPUT -p tcp -m tcp --dport ${random.between(20, 80)} -j ${verdict}`);
  }
  lines.push('-A INPUT -s 198.51.100.0/25 -j ACCEPT');
  if (writesMark) lines.push('-A INPUT -m mark --mark 0x1 -j ACCEPT');
  chains.forEach((chain, i) => {
    for (let h = 0; h < hosts; h++) {
      const source = `192.0.2.${16 * i + h + 1}`;
      const mac = `-m mac --mac-source 02:00:00:00:0${i}:${(h + 16).toString(16)}`;
      // A mark written on one branch of an undetermined match: the packets' ends then differ by branch.
      if (writesMark && h % 2 === 0) lines.push(`-A ${chain} -s ${source}/32 ${mac} -j MARK --set-mark 0x1`);
      lines.push(`-A ${chain} -s ${source}/32 ${mac} -j RETURN`);
      lines.push(`-A ${chain} -s ${source}/32 -j DROP`);
    }
    lines.push(`-A ${chain} -s 198.51.100.0/24 -j RETURN`, `-A ${chain} -j DROP`);
  });
  lines.push('COMMIT', '');
  return lines.join('\n');
}

/** New connections to the host from every guarded source and a few others, on every interface, to ports the rules name and others. */
function probes(): Probe[] {
  const sources = [
    ...INTERFACES.flatMap((_, i) => [1, 2, 3, 4, 5, 6, 7, 8].map((h) => `192.0.2.${16 * i + h}`)),
    '198.51.100.7',
    '198.51.100.200',
    '203.0.113.9',
  ];
  return INTERFACES.flatMap((name) =>
    sources.flatMap((from) =>
      [22, 41, 53, 79, 443].flatMap((dport) =>
        (['tcp', 'udp'] as const).map((proto) => ({ from, to: '192.0.2.200', proto, sport: 40000, dport, in: name, chain: 'INPUT' })),
      ),
    ),
  );
}

for (const writesMark of [false, true]) {
  test(`MAC chains returning to their caller${writesMark ? ', marking some packets on the way' : ''}: every packet ends where the tracer puts it`, () => {
    let undetermined = 0;
    let compared = 0;
    for (let seed = 1; seed <= 6; seed++) {
      const text = macChains(seed, 8, writesMark);
      const program = compile(text, INTERFACES);
      const outcomes = new Map(program.points.map((point) => [point.id, new Evaluator(program).evaluatePoint(point, newConnections([4]))]));
      for (const probe of probes()) {
        const { packet, chain } = probePacket([program], probe, { file: 'probe' });
        const traced = traceProbe([program], probe, { file: 'probe' });
        const containing = outcomes.get(chain)!.filter((o) => o.set.contains(packet));
        assert.equal(containing.length, 1, `seed ${seed}: ${JSON.stringify(probe)} is in ${containing.length} outcomes`);
        const [outcome] = containing;
        assert.equal(outcome!.verdict, traced.verdict, `seed ${seed}, probe ${JSON.stringify(probe)}:\n${text}`);
        // The same deciding rule, and for an undetermined packet the same reasons (outcomes alike are merged, not their reasons).
        assert.equal(outcome!.rule?.source.line ?? null, traced.decidedBy?.line ?? null, `seed ${seed}, probe ${JSON.stringify(probe)}`);
        assert.deepEqual(
          outcome!.reasons.map((r) => r.rule.source.line).sort((a, b) => a - b),
          traced.reasons.map((r) => r.rule.line).sort((a, b) => a - b),
          `seed ${seed}, probe ${JSON.stringify(probe)}`,
        );
        if (traced.verdict === 'undetermined') undetermined++;
        compared++;
      }
    }
    // Meaningful only if packets met the MAC rules both ways: some undetermined, most decided.
    assert.ok(undetermined > 10 && compared - undetermined > 50, `${undetermined} undetermined of ${compared}`);
  });
}
