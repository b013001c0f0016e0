/** `fwmatrix audit`: a deployment file, or one --config described by options → the report and its exit code. */
import { auditConfiguration, auditDeployment, type ConfigurationTarget } from '../app/audit';
import { renderReport, renderText, type ReportFormat } from '../report';
import { configType, judgeOf, lastLine, optionError, targetOf, type AuditCliOptions } from './options';

export function runAudit(deployment: string | undefined, opts: AuditCliOptions): { text: string; exitCode: number } {
  configType(opts.type);
  const report =
    opts.config !== undefined
      ? auditConfiguration(standaloneTarget(deployment, opts), judgeOf(opts))
      : auditDeployment(deployment ?? 'fwmatrix.yml', judgeOf(opts));
  // --quiet keeps the text report's verdict line; machine formats are always whole.
  const text =
    opts.quiet && opts.format === 'text'
      ? lastLine(renderText(report, { color: opts.color }))
      : renderReport(report, opts.format as ReportFormat, { color: opts.color });
  return { text, exitCode: report.verdict === 'fail' ? 1 : 0 };
}

/** `audit --config`: the firewall the options describe; a deployment file beside it is a contradiction. */
function standaloneTarget(deployment: string | undefined, opts: AuditCliOptions): ConfigurationTarget {
  if (deployment !== undefined) throw optionError('audit', 'give either a deployment file or --config, not both');
  const target = targetOf(opts);
  if (target.matrix === undefined) throw optionError('--matrix', 'with --config, name the matrix: --matrix ID|FILE');
  return { ...target, matrix: target.matrix, config: opts.config! };
}
