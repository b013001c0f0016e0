/** The machine report of contracts.md §3. */
import type { AuditReport } from '../audit/types';

export function renderJson(report: AuditReport): string {
  return JSON.stringify(report, null, 2) + '\n';
}
