/**
 * Runs a command under GNU time and reads what it spent: wall and CPU seconds and peak resident
 * memory. The benchmark times real processes (the CLI, iptables-restore), so a child's own
 * accounting is the only fair measure.
 */
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

export interface Measured {
  wallSeconds: number;
  cpuSeconds: number;
  peakBytes: number;
  exitCode: number;
  stderr: string;
}

const GNU_TIME = '/usr/bin/time';

export function checkGnuTime(): string | undefined {
  const probe = spawnSync(GNU_TIME, ['-f', '%e', 'true'], { encoding: 'utf8' });
  return probe.status === 0 ? undefined : `${GNU_TIME} (GNU time) is needed to measure CPU time and peak memory: apt-get install time`;
}

/**
 * Measures `command`; `within` (such as `ip netns exec NS`) runs GNU time itself, so that entering
 * a namespace is not counted.
 */
export function measure(command: readonly string[], within: readonly string[] = []): Measured {
  const stats = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'fwmatrix-bench-time-')), 'stats');
  const [program, ...args] = [...within, GNU_TIME, '-f', '%e %U %S %M', '-o', stats, ...command];
  const run = spawnSync(program!, args, {
    encoding: 'utf8',
    maxBuffer: 1 << 30,
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  const text = fs.readFileSync(stats, 'utf8').trim().split('\n').pop() ?? '';
  fs.rmSync(path.dirname(stats), { recursive: true, force: true });
  const [wall, user, system, kilobytes] = text.split(' ').map(Number);
  if ([wall, user, system, kilobytes].some((n) => n === undefined || Number.isNaN(n))) {
    throw new Error(`cannot read GNU time's output for ${command.join(' ')}: "${text}"`);
  }
  return {
    wallSeconds: wall!,
    cpuSeconds: user! + system!,
    peakBytes: kilobytes! * 1024,
    exitCode: run.status ?? -1,
    stderr: run.stderr ?? '',
  };
}

/**
 * The best (least wall time) of `runs` measurements: noise from a shared machine only ever adds
 * time. A run that exits with a code not in `ok` ends the series.
 */
export function bestOf(runs: number, command: readonly string[], ok: readonly number[], within: readonly string[] = []): Measured {
  let best: Measured | undefined;
  for (let i = 0; i < runs; i++) {
    const m = measure(command, within);
    if (!ok.includes(m.exitCode)) return m;
    if (!best || m.wallSeconds < best.wallSeconds) best = m;
  }
  return best!;
}
