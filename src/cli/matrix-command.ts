/** `fwmatrix matrix list | show`: the built-in matrices as text. */
import { formatPortRanges, type Matrix } from '../matrix';

export function matrixListText(matrices: Matrix[]): string {
  const width = Math.max(...matrices.map((m) => m.id.length));
  return matrices.map((m) => `${m.id.padEnd(width)}  ${m.title} (${m.requirements.length} requirements)`).join('\n') + '\n';
}

export function matrixShowText(m: Matrix): string {
  const lines = [`${m.id}: ${m.title}`, '', m.description, '', 'Roles:'];
  for (const role of m.roles) lines.push(`  ${role.id.padEnd(24)} ${role.title}${role.builtin ? ' (built in)' : ''}`);
  lines.push('', 'Requirements:');
  const idWidth = Math.max(...m.requirements.map((r) => r.id.length));
  for (const r of m.requirements) {
    const flow = `${r.protocol}/${formatPortRanges(r.ports)} ${r.source} -> ${r.destination}`;
    const errata = r.errata.length > 0 ? ` [${r.errata.join(', ')}]` : '';
    lines.push(`  ${r.id.padEnd(idWidth)}  ${flow}${r.optional ? ' (optional)' : ''}${errata}`);
    lines.push(`  ${' '.repeat(idWidth)}  ${r.description}${r.from ? ` (${r.from})` : ''}`);
  }
  if (m.errata.length > 0) {
    lines.push('', 'Errata:');
    for (const e of m.errata) lines.push(`  ${e.id} — ${e.title}: ${e.text}`);
  }
  return lines.join('\n') + '\n';
}
