/**
 * `fwmatrix audit`: a deployment file (or one --config described by options) → the report in its
 * format, any further --report files, what the console shows, and the exit code.
 */
import * as fs from 'node:fs';
import { auditConfiguration, auditDeployment, type ConfigurationTarget, type JudgeOptions } from '../app/audit';
import { auditDeploymentInParallel, defaultJobs } from '../app/parallel-audit';
import type { AuditReport } from '../audit/types';
import { REPORT_FORMATS, renderReport, type ReportFormat } from '../report';
import { warningLocation } from '../report/common';
import { renderVerdictLine } from '../report/text';
import { configType, judgeOf, optionError, targetOf, type AuditCliOptions } from './options';

export interface AuditRun {
  /** The report in --format. */
  text: string;
  /** What goes to standard output: the report, or (when it went to a file) a summary. */
  stdout: string;
  /** What goes to standard error: the firewalls that could not be audited. */
  stderr: string;
  /** Files to write: -o's and every --report's. */
  files: { file: string; text: string }[];
  exitCode: number;
}

/** The deployment file of the current folder: fwmatrix.yml, else fwmatrix.yaml. */
function defaultDeployment(): string {
  return !fs.existsSync('fwmatrix.yml') && fs.existsSync('fwmatrix.yaml') ? 'fwmatrix.yaml' : 'fwmatrix.yml';
}

/** `--report FORMAT=FILE`, repeatable. */
function extraReports(values: string[] | undefined): { format: ReportFormat; file: string }[] {
  return (values ?? []).map((value) => {
    const eq = value.indexOf('=');
    const format = value.slice(0, eq);
    if (eq <= 0 || eq === value.length - 1 || !(REPORT_FORMATS as readonly string[]).includes(format)) {
      throw optionError('--report', `expected FORMAT=FILE with FORMAT one of ${REPORT_FORMATS.join(', ')}, got "${value}"`);
    }
    return { format: format as ReportFormat, file: value.slice(eq + 1) };
  });
}

/** The audit, one firewall after the other (see runAuditInParallel). */
export function runAudit(deployment: string | undefined, opts: AuditCliOptions): AuditRun {
  const judge = judgeOfAudit(opts);
  const report =
    opts.config !== undefined
      ? auditConfiguration(standaloneTarget(deployment, opts), judge)
      : auditDeployment(deployment ?? defaultDeployment(), judge);
  return runOfReport(report, opts);
}

/** The audit with up to --jobs firewalls of a deployment at once, in worker threads: the same run as runAudit's. */
export async function runAuditInParallel(deployment: string | undefined, opts: AuditCliOptions): Promise<AuditRun> {
  if (opts.config !== undefined) return runAudit(deployment, opts);
  const judge = judgeOfAudit(opts);
  const report = await auditDeploymentInParallel(deployment ?? defaultDeployment(), judge, jobsOf(opts.jobs));
  return runOfReport(report, opts);
}

function judgeOfAudit(opts: AuditCliOptions): JudgeOptions {
  configType(opts.type);
  extraReports(opts.report);
  return { ...judgeOf(opts), ...(opts.firewall !== undefined ? { firewalls: opts.firewall } : {}) };
}

/** --jobs: a whole number from 1; one per two cores when not given. */
function jobsOf(written: string | undefined): number {
  if (written === undefined) return defaultJobs();
  const jobs = Number(written);
  if (!Number.isInteger(jobs) || jobs < 1) throw optionError('--jobs', `expected a whole number from 1, got "${written}"`);
  return jobs;
}

function runOfReport(report: AuditReport, opts: AuditCliOptions): AuditRun {
  const reports = extraReports(opts.report);
  const text = renderReport(report, opts.format as ReportFormat, { color: opts.color });
  const files = [
    ...(opts.output !== undefined
      ? [{ file: opts.output, text: opts.color ? renderReport(report, opts.format as ReportFormat, { color: false }) : text }]
      : []),
    ...reports.map(({ format, file }) => ({ file, text: renderReport(report, format, { color: false }) })),
  ];
  return {
    text,
    stdout: consoleOutput(report, text, files, opts),
    stderr: errorLines(report),
    files,
    exitCode: report.errors.length > 0 ? 2 : report.verdict === 'fail' ? 1 : 0,
  };
}

/**
 * The report itself when it is not written to a file; otherwise (and with --quiet) the verdict,
 * which a pipeline's log should always show. Machine formats printed to the console stay whole.
 */
function consoleOutput(report: AuditReport, text: string, files: { file: string }[], opts: AuditCliOptions): string {
  const verdict = renderVerdictLine(report, { color: opts.color }) + '\n';
  if (opts.output === undefined && !(opts.quiet && opts.format === 'text')) return text;
  if (opts.quiet) return verdict;
  return files.map((f) => `wrote ${f.file}\n`).join('') + verdict;
}

function errorLines(report: AuditReport): string {
  return report.errors.map((e) => `fwmatrix: ${warningLocation(e)}: ${e.message} (firewall ${e.firewall} was not audited)\n`).join('');
}

/** `audit --config`: the firewall the options describe; a deployment file beside it is a contradiction. */
function standaloneTarget(deployment: string | undefined, opts: AuditCliOptions): ConfigurationTarget {
  if (deployment !== undefined) throw optionError('audit', 'give either a deployment file or --config, not both');
  if (opts.firewall !== undefined) throw optionError('--firewall', 'selects firewalls of a deployment file; with --config there is one');
  const target = targetOf(opts);
  if (target.matrix === undefined) throw optionError('--matrix', 'with --config, name the matrix: --matrix ID|FILE');
  return { ...target, matrix: target.matrix, config: opts.config! };
}
