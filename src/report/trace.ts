/** The text of `fwmatrix trace`: every rule the packet met, and the verdict. */
import type { TraceOutput } from '../engine/trace';

export function renderTraceText(t: TraceOutput): string {
  const sport = t.packet.sport !== undefined ? `:${t.packet.sport}` : '';
  const dport = t.packet.dport !== undefined ? `:${t.packet.dport}` : '';
  const lines = [`${t.packet.chain}: ${t.packet.proto} ${t.packet.from}${sport} -> ${t.packet.to}${dport}`];
  for (const step of t.steps) {
    const mark = step.matched === true ? 'match' : step.matched === 'unknown' ? 'may match' : 'no';
    const named = step.table !== undefined ? `${step.table}/${step.chain}` : step.chain;
    const chain = step.group !== undefined ? `${named} [${step.group}]` : named;
    lines.push(`  ${chain.padEnd(24)} ${String(step.line).padStart(5)}  ${mark.padEnd(9)} ${step.action.padEnd(14)} ${step.text}`);
  }
  const by = t.decidedBy ? `line ${t.decidedBy.line}: ${t.decidedBy.text}` : t.policy ? t.policy.phrase : 'no rule';
  lines.push(`verdict: ${t.verdict} (${by})`);
  for (const r of t.reasons) lines.push(`  undetermined: ${r.why} (line ${r.rule.line})`);
  return lines.join('\n') + '\n';
}
