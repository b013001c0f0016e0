/** `fwmatrix diff BEFORE AFTER`: what the options say BEFORE and AFTER stand for → the diff report and its exit code. */
import { diffConfigurations, type DiffOptions } from '../app/diff';
import { renderDiff, type DiffFormat } from '../report/diff';
import { configType, judgeOf, lastLine, optionError, targetOf, type SharedCliOptions } from './options';

export interface DiffCliOptions extends SharedCliOptions {
  deployment?: string;
  firewall?: string;
}

export function runDiff(before: string, after: string, opts: DiffCliOptions): { text: string; exitCode: number } {
  const report = diffConfigurations(before, after, { ...judgeOf(opts), ...diffSubject(opts) });
  const text = renderDiff(report, opts.format as DiffFormat, { color: opts.color });
  return { text: opts.quiet && opts.format === 'text' ? lastLine(text) : text, exitCode: report.verdict === 'fail' ? 1 : 0 };
}

/** What BEFORE and AFTER of `diff` stand for: a deployment's firewall, or what the options say. */
function diffSubject(opts: DiffCliOptions): Omit<DiffOptions, 'failOn'> {
  const type = configType(opts.type);
  const typed = type !== undefined ? { type } : {};
  if (opts.deployment !== undefined) {
    const standalone = {
      '--matrix': opts.matrix !== undefined,
      '--role': (opts.role ?? []).length > 0,
      '--host': opts.host !== undefined,
      '--interface': (opts.interface ?? []).length > 0,
    };
    for (const [option, given] of Object.entries(standalone))
      if (given) throw optionError(option, 'give either a deployment or the firewall and matrix options, not both');
    return { ...typed, deployment: { file: opts.deployment, ...(opts.firewall !== undefined ? { firewall: opts.firewall } : {}) } };
  }
  if (opts.firewall !== undefined) throw optionError('--firewall', 'names a firewall of a deployment: give --deployment FILE too');
  if (opts.matrix === undefined && (opts.role ?? []).length > 0)
    throw optionError('--role', 'roles are for auditing against a matrix: give --matrix ID|FILE too');
  return { ...typed, target: targetOf(opts) };
}
