/**
 * On random programs of mark writers and readers (MARK, CONNMARK, HMARK, NOTRACK; -m mark,
 * -m connmark, conntrack states; rules whose match is unknown), the set evaluator, run once over
 * every packet of every conntrack state, puts each packet where the tracer puts it: the same
 * verdict and the same deciding line.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { compile } from '../helpers/programs';
import { Evaluator } from '../../src/engine/evaluate';
import { tracePacket } from '../../src/engine/trace';
import { probePacket, type Probe } from '../../src/app/trace';
import { CtState, PacketSet } from '../../src/packetset';

/** Few bits, so that values written and tested often meet. */
const bits = fc.integer({ min: 0, max: 7 }).map((n) => `0x${n.toString(16)}`);
const valueMask = fc.tuple(bits, bits).map(([v, m]) => `${v}/${m}`);

const setOperation = fc.oneof(
  valueMask.map((v) => `--set-xmark ${v}`),
  bits.map((v) => `--set-mark ${v}`),
  bits.map((v) => `--and-mark ${v}`),
  bits.map((v) => `--or-mark ${v}`),
  bits.map((v) => `--xor-mark ${v}`),
);
const shift = fc.oneof(
  fc.constant(''),
  fc.integer({ min: 1, max: 2 }).map((n) => ` --left-shift-mark ${n}`),
  fc.integer({ min: 1, max: 2 }).map((n) => ` --right-shift-mark ${n}`),
);
const masks = fc.oneof(
  fc.constant(''),
  bits.map((m) => ` --mask ${m}`),
  fc.tuple(bits, bits).map(([nf, ct]) => ` --nfmask ${nf} --ctmask ${ct}`),
);
const writer = fc.oneof(
  setOperation.map((op) => `-j MARK ${op}`),
  fc.tuple(setOperation, shift).map(([op, s]) => `-j CONNMARK ${op}${s}`),
  fc.tuple(fc.constantFrom('--save-mark', '--restore-mark'), masks, shift).map(([op, m, s]) => `-j CONNMARK ${op}${m}${s}`),
  fc.constant('-j HMARK --hmark-tuple src,dst --hmark-mod 4'),
);
const protocol = fc.constantFrom('', '', '', '-p tcp', '-p udp', '-p tcp -m tcp --dport 22', '-p icmp');
const condition = fc.oneof(
  { weight: 3, arbitrary: fc.constant('') },
  fc.constant('-m statistic --mode random --probability 0.5'),
  fc
    .tuple(fc.constantFrom('mark', 'connmark'), fc.constantFrom('', '! '), fc.oneof(bits, valueMask))
    .map(([m, not, v]) => `-m ${m} ${not}--mark ${v}`),
  fc.constantFrom('-m conntrack --ctstate NEW', '-m conntrack --ctstate ESTABLISHED,RELATED', '-m state --state INVALID,UNTRACKED'),
);
const rule = (targets: fc.Arbitrary<string>): fc.Arbitrary<string> =>
  fc.tuple(protocol, condition, condition, targets).map((parts) => parts.filter((p) => p !== '').join(' '));
const rawRule = rule(fc.oneof(writer, fc.constantFrom('-j NOTRACK', '-j DROP')));
const mangleRule = rule(fc.oneof({ weight: 4, arbitrary: writer }, fc.constant('-j DROP')));
const filterRule = rule(fc.oneof(writer, fc.constantFrom('-j ACCEPT', '-j DROP', '-j REJECT', '-j MARKS', '-j RETURN')));

const programText = fc
  .record({
    raw: fc.array(rawRule, { maxLength: 2 }),
    mangle: fc.array(mangleRule, { maxLength: 4 }),
    input: fc.array(filterRule, { minLength: 1, maxLength: 5 }),
    marks: fc.array(filterRule, { maxLength: 3 }),
    policy: fc.constantFrom('ACCEPT', 'DROP'),
  })
  .map(({ raw, mangle, input, marks, policy }) =>
    [
      '*raw',
      ...raw.map((r) => `-A PREROUTING ${r}`),
      'COMMIT',
      '*mangle',
      ...mangle.map((r, i) => `-A ${i % 2 === 0 ? 'PREROUTING' : 'INPUT'} ${r}`),
      'COMMIT',
      '*filter',
      `:INPUT ${policy} [0:0]`,
      ':MARKS - [0:0]',
      ...input.map((r) => `-A INPUT ${r}`),
      // MARKS does not jump to itself: no loops.
      ...marks.map((r) => `-A MARKS ${r.replace('-j MARKS', '-j RETURN')}`),
      'COMMIT',
      '',
    ].join('\n'),
  );

const PROBES: Probe[] = [
  { from: '192.0.2.1', to: '198.51.100.1', proto: 'tcp', dport: 22, in: 'eth0' },
  { from: '192.0.2.1', to: '198.51.100.1', proto: 'tcp', dport: 80, in: 'eth0' },
  { from: '192.0.2.1', to: '198.51.100.1', proto: 'udp', dport: 53, in: 'eth0' },
  { from: '192.0.2.1', to: '198.51.100.1', proto: 'icmp', icmpType: 8, in: 'eth0' },
  { from: '192.0.2.1', to: '198.51.100.1', proto: 'icmp', icmpType: 0, in: 'eth0' },
];
const STATES = Object.values(CtState);

test('the set evaluator and the tracer agree on generated mark programs, in every conntrack state', () => {
  fc.assert(
    fc.property(programText, (text) => {
      const program = compile(text, ['eth0']);
      const point = program.points.find((p) => p.id === 'INPUT')!;
      const outcomes = new Evaluator(program).evaluatePoint(point, PacketSet.full(4));
      for (const probe of PROBES) {
        const { packet: first } = probePacket([program], probe, { file: 'probe' });
        for (const state of STATES) {
          const packet = { ...first, state };
          const traced = tracePacket(program, point, packet);
          const containing = outcomes.filter((o) => o.set.contains(packet));
          assert.equal(containing.length, 1, `state ${state}, ${JSON.stringify(probe)} is in ${containing.length} outcomes`);
          const [outcome] = containing;
          const where = `state ${state}, ${JSON.stringify(probe)}:\n${text}`;
          assert.equal(outcome.verdict, traced.verdict, where);
          if (traced.verdict !== 'undetermined') assert.equal(outcome.rule?.source.line ?? null, traced.decidedBy?.line ?? null, where);
        }
      }
    }),
    { numRuns: 300, seed: 8 },
  );
});
