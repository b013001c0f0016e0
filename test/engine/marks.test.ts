/**
 * Packet and connection marks followed as values, as Linux computes them (xt_mark.c,
 * xt_connmark.c, checked against Linux 6.18 in namespaces by the kernel oracle): MARK and
 * CONNMARK writes, -m mark and -m connmark tests, save and restore with masks and shifts. The
 * tracer and the set evaluator must give the same verdict and deciding line for each.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { compile, evaluateProbe, trace } from '../helpers/programs';
import { Evaluator } from '../../src/engine/evaluate';
import { tracePacket } from '../../src/engine/trace';
import { probePacket, type Probe } from '../../src/app/trace';
import { CtState, PacketSet } from '../../src/packetset';

const probe: Probe = { from: '192.0.2.1', to: '198.51.100.1', proto: 'tcp', dport: 22, in: 'eth0' };

/** mangle PREROUTING rules, then filter INPUT rules with policy DROP; the first filter rule is at line `mangle.length + 5` (after raw's, three more). */
function ruleset(mangle: string[], input: string[], raw: string[] = []): string {
  return [
    ...(raw.length > 0 ? ['*raw', ...raw.map((r) => `-A PREROUTING ${r}`), 'COMMIT'] : []),
    '*mangle',
    ...mangle.map((r) => `-A PREROUTING ${r}`),
    'COMMIT',
    '*filter',
    ':INPUT DROP [0:0]',
    ...input.map((r) => `-A INPUT ${r}`),
    'COMMIT',
    '',
  ].join('\n');
}

interface Seen {
  verdict: string;
  line: number | null;
  reasons: string[];
}

/** The verdict both engines give, with the deciding line and (undetermined) the reasons the tracer names. */
function seen(text: string, p: Probe = probe): Seen {
  const program = compile(text);
  const traced = trace(program, p);
  const evaluated = evaluateProbe(program, p);
  assert.equal(evaluated.verdict, traced.verdict, `the evaluator and the tracer agree on:\n${text}`);
  if (traced.verdict !== 'undetermined') assert.equal(evaluated.rule?.source.line ?? null, traced.decidedBy?.line ?? null);
  return { verdict: traced.verdict, line: traced.decidedBy?.line ?? null, reasons: traced.reasons.map((r) => `${r.rule.line}: ${r.why}`) };
}

function decided(text: string, p: Probe = probe): [string, number | null] {
  const { verdict, line } = seen(text, p);
  return [verdict, line];
}

describe('MARK and -m mark', () => {
  it('--set-mark, then a test of the whole mark and of some bits', () => {
    const input = ['-m mark --mark 0x2 -j REJECT', '-m mark --mark 0x1/0x1 -j ACCEPT'];
    assert.deepEqual(decided(ruleset(['-p tcp -j MARK --set-mark 0x3'], input)), ['accept', 7]);
    assert.deepEqual(decided(ruleset(['-p tcp -j MARK --set-mark 0x2'], input)), ['reject', 6]);
    assert.deepEqual(decided(ruleset(['-p udp -j MARK --set-mark 0x3'], input)), ['drop', null], 'tcp is not marked');
  });

  it('--set-xmark is (mark & ~mask) ^ value; --set-mark value/mask also clears the value bits', () => {
    const reads = (value: string): string[] => [`-m mark --mark ${value} -j ACCEPT`];
    // (0x3 & ~0x6) ^ 0x4 = 0x5
    assert.deepEqual(decided(ruleset(['-j MARK --set-mark 0x3', '-j MARK --set-xmark 0x4/0x6'], reads('0x5'))), ['accept', 7]);
    // --set-mark 0x4/0x2 clears 0x6: (0x3 & ~0x6) ^ 0x4 = 0x5
    assert.deepEqual(decided(ruleset(['-j MARK --set-mark 0x3', '-j MARK --set-mark 0x4/0x2'], reads('0x5'))), ['accept', 7]);
    // From 0x7, --set-xmark 0x4/0x2 clears only 0x2: (0x7 & ~0x2) ^ 0x4 = 0x1; --set-mark 0x4/0x2 gives (0x7 & ~0x6) ^ 0x4 = 0x5.
    assert.deepEqual(decided(ruleset(['-j MARK --set-mark 0x7', '-j MARK --set-xmark 0x4/0x2'], reads('0x1'))), ['accept', 7]);
    assert.deepEqual(decided(ruleset(['-j MARK --set-mark 0x7', '-j MARK --set-mark 0x4/0x2'], reads('0x1'))), ['drop', null]);
  });

  it('--and-mark, --or-mark and --xor-mark', () => {
    const writers = ['-j MARK --set-mark 0xf0', '-j MARK --and-mark 0x3c', '-j MARK --or-mark 0x1', '-j MARK --xor-mark 0x11'];
    // ((0xf0 & 0x3c) | 0x1) ^ 0x11 = 0x20
    assert.deepEqual(decided(ruleset(writers, ['-m mark --mark 0x20 -j ACCEPT'])), ['accept', 9]);
    assert.deepEqual(decided(ruleset(writers, ['-m mark ! --mark 0x20 -j ACCEPT'])), ['drop', null]);
  });

  it('a value with bits outside its mask never matches, and its negation always does', () => {
    const marked = ['-j MARK --set-mark 0x3'];
    assert.deepEqual(decided(ruleset(marked, ['-m mark --mark 0x1/0x2 -j ACCEPT'])), ['drop', null]);
    assert.deepEqual(decided(ruleset(marked, ['-m mark ! --mark 0x1/0x2 -j ACCEPT'])), ['accept', 6]);
  });

  it('numbers as strtoul reads them: 0x hexadecimal, a leading 0 octal', () => {
    assert.deepEqual(decided(ruleset(['-j MARK --set-mark 010'], ['-m mark --mark 0x8 -j ACCEPT'])), ['accept', 6]);
  });
});

describe('CONNMARK and -m connmark', () => {
  it('a new connection starts at 0; --set-xmark sets its mark', () => {
    const input = ['-m connmark --mark 0x0 -j REJECT', '-m connmark --mark 0x5 -j ACCEPT'];
    assert.deepEqual(decided(ruleset([], input)), ['reject', 5]);
    assert.deepEqual(decided(ruleset(['-j CONNMARK --set-xmark 0x5/0xffffffff'], input)), ['accept', 7]);
  });

  it('a connection mark is never written in raw, which runs before connection tracking', () => {
    const text = ['*raw', '-A PREROUTING -j CONNMARK --set-mark 0x5', 'COMMIT', '*filter', ':INPUT DROP [0:0]'];
    assert.deepEqual(decided([...text, '-A INPUT -m connmark --mark 0x0 -j ACCEPT', 'COMMIT', ''].join('\n')), ['accept', 6]);
  });

  it('after NOTRACK a CONNMARK write does nothing and -m connmark never matches', () => {
    const input = ['-m connmark --mark 0x5 -j REJECT', '-m connmark ! --mark 0x5 -j REJECT', '-j ACCEPT'];
    assert.deepEqual(decided(ruleset(['-j CONNMARK --set-mark 0x5'], input, ['-j NOTRACK'])), ['accept', 11]);
  });

  it('--save-mark and --restore-mark with masks and shifts', () => {
    const writers = [
      '-j MARK --set-mark 0x12',
      // ctmark = (0 & ~0xff) ^ ((0x12 & 0xf0) >> 4) = 0x1
      '-j CONNMARK --save-mark --nfmask 0xf0 --ctmask 0xff --right-shift-mark 4',
      '-j MARK --set-mark 0x0',
      // mark = (0 & ~0xffffffff) ^ ((0x1 & 0x1) << 8) = 0x100
      '-j CONNMARK --restore-mark --ctmask 0x1 --left-shift-mark 8',
    ];
    const input = ['-m connmark ! --mark 0x1 -j REJECT', '-m mark --mark 0x100 -j ACCEPT'];
    assert.deepEqual(decided(ruleset(writers, input)), ['accept', 10]);
  });

  it('--mask given after an operation replaces the mask the operation implied', () => {
    // --set-xmark 0x1/0xff --mask 0x0: nothing cleared, 0x1 flipped; then --set-xmark 0x2/0xff --mask 0xf0 keeps the low bits: 0x1 ^ 0x2 = 0x3.
    const writers = ['-j CONNMARK --set-xmark 0x1/0xff --mask 0x0', '-j CONNMARK --set-xmark 0x2/0xff --mask 0xf0'];
    assert.deepEqual(decided(ruleset(writers, ['-m connmark --mark 0x3 -j ACCEPT'])), ['accept', 7]);
  });

  it('an established connection carries the mark earlier packets were given: undetermined, naming the writers', () => {
    const text = ruleset(['-m conntrack --ctstate NEW -j CONNMARK --set-mark 0x1'], ['-m connmark --mark 0x1 -j ACCEPT']);
    const program = compile(text);
    const { point, packet } = probePacket([program], probe, { file: 'test' });
    const established = { ...packet, state: CtState.ESTABLISHED };
    const traced = tracePacket(program, point, established);
    assert.equal(traced.verdict, 'undetermined');
    assert.ok(
      traced.reasons.some(
        (r) => r.rule.line === 6 && r.why.includes('connection mark it reads may have been changed by the rule at line 2'),
      ),
    );
    const [outcome] = new Evaluator(program).evaluatePoint(point, PacketSet.point(established));
    assert.equal(outcome.verdict, 'undetermined');
    // Its first packet is decided.
    assert.deepEqual(decided(text), ['accept', 6]);
  });
});

describe('marks the configuration does not decide', () => {
  it('HMARK: a hash, undetermined, naming the writer', () => {
    const { verdict, reasons } = seen(
      ruleset(['-j HMARK --hmark-tuple src,dst --hmark-mod 4 --hmark-rnd 0x1'], ['-m mark --mark 0x1 -j ACCEPT']),
    );
    assert.equal(verdict, 'undetermined');
    assert.deepEqual(reasons, [
      '6: the packet mark it reads may have been changed by the rule at line 2, and fwmatrix cannot tell to what value',
    ]);
  });

  it('a writer whose match is unknown: both branches kept, decided where they write the same bits', () => {
    const writers = ['-m statistic --mode random --probability 0.5 -j MARK --set-mark 0x3', '-j MARK --and-mark 0x1'];
    // Either 0x3 or 0x0 before the and: 0x1 or 0x0, the bit 0x2 is 0 either way.
    assert.deepEqual(decided(ruleset(writers, ['-m mark --mark 0x0/0x2 -j ACCEPT'])), ['accept', 7]);
    const { verdict, reasons } = seen(ruleset(writers, ['-m mark --mark 0x1/0x1 -j ACCEPT']));
    assert.equal(verdict, 'undetermined');
    assert.ok(
      reasons.some((r) => r.startsWith('7: the packet mark it reads may have been changed by the rules at lines 2, 3')),
      reasons.join('\n'),
    );
  });

  it('--restore-mark of a connection mark an unknown match may have set', () => {
    const writers = ['-m statistic --mode random --probability 0.5 -j CONNMARK --set-mark 0x1', '-j CONNMARK --restore-mark'];
    assert.equal(seen(ruleset(writers, ['-m mark --mark 0x1 -j ACCEPT'])).verdict, 'undetermined');
    // Saved back from a mark that is 0 either way: decided again.
    assert.deepEqual(
      decided(ruleset([...writers, '-j MARK --set-mark 0x0', '-j CONNMARK --save-mark'], ['-m connmark --mark 0x0 -j ACCEPT'])),
      ['accept', 9],
    );
  });

  it('a NOTRACK whose match is unknown makes a later CONNMARK write uncertain, not an INVALID packet’s', () => {
    const raw = ['-m statistic --mode random --probability 0.5 -j NOTRACK'];
    const text = ruleset(['-j CONNMARK --set-mark 0x1'], ['-m connmark --mark 0x1 -j ACCEPT'], raw);
    const { verdict, reasons } = seen(text);
    assert.equal(verdict, 'undetermined');
    assert.ok(
      reasons.some((r) => r.startsWith('9: the connection tracking state it reads may have been changed by the rule at line 2')),
      reasons.join('\n'),
    );
    // An echo reply is INVALID: no conntrack entry whether untracked or not, so no connection mark either way.
    assert.deepEqual(decided(text, { from: '192.0.2.1', to: '198.51.100.1', proto: 'icmp', icmpType: 0, in: 'eth0' }), ['drop', null]);
  });
});

describe('the set evaluator splits packets by the marks they carry', () => {
  it('every new connection ends where the tracer puts it, over the whole packet space', () => {
    const text = ruleset(
      ['-p tcp -j MARK --set-mark 0x1', '-p tcp -m tcp --dport 443 -j MARK --or-mark 0x2', '-m mark --mark 0x1 -j CONNMARK --save-mark'],
      ['-m mark --mark 0x3 -j ACCEPT', '-m connmark --mark 0x1 -j REJECT', '-p udp -j ACCEPT'],
    );
    const program = compile(text);
    const outcomes = new Evaluator(program).evaluatePoint(
      program.points.find((p) => p.id === 'INPUT')!,
      PacketSet.full(4),
    );
    for (const [p, expected] of [
      [{ ...probe, dport: 443 }, ['accept', 8]],
      [{ ...probe, dport: 80 }, ['reject', 9]],
      [{ ...probe, proto: 'udp', dport: 53 }, ['accept', 10]],
    ] as const) {
      const { packet } = probePacket([program], p, { file: 'test' });
      const [outcome] = outcomes.filter((o) => o.set.contains(packet));
      assert.deepEqual([outcome.verdict, outcome.rule?.source.line ?? null], expected);
      assert.deepEqual(decided(text, p), expected);
    }
  });
});
