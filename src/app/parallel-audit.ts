/**
 * A deployment's firewalls audited at once, in worker threads: each worker loads the deployment
 * and audits the firewalls it is handed, one after the other, taking the next as it finishes (so
 * a large firewall does not hold up a worker's queue). The report is auditDeployment's: the
 * shares are joined in the deployment's order and judged together, byte for byte the same.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { Worker } from 'node:worker_threads';
import type { AuditReport } from '../audit/types';
import { firewallShare, loadDeploymentFile, reportOfShares, selectFirewalls, type FirewallShare, type JudgeOptions } from './audit';

/** What the main thread sends a worker: the position, in the deployment, of the firewall to audit next. */
export interface ShareRequest {
  index: number;
}

/** What a worker sends back: the firewall's share, or the internal error that stopped it. */
export type ShareReply = { index: number; share: FirewallShare } | { index: number; error: string };

/** What a worker is started with. */
export interface WorkerStart {
  deploymentFile: string;
  firewalls?: readonly string[];
}

const WORKER_SCRIPT = path.join(__dirname, 'audit-worker.js');

/**
 * A firewall whose configuration text exceeds this is audited in a worker even alone: a large
 * audit makes short-lived packet sets fast, and a worker can be given a larger young generation
 * (V8's default is sized for small programs; Node sets it per process only from the command line).
 */
const LARGE_CONFIG_BYTES = 4 * 1024 * 1024;
/** A worker's young generation: three 64 MB semi-spaces' worth (the default is 16 MB ones); a 100k-rule audit took 105 s in process, 90 s in such a worker. */
const YOUNG_GENERATION_MB = 192;

/** How many firewalls to audit at once by default: one per core. */
export function defaultJobs(): number {
  return os.availableParallelism();
}

/** Audits every firewall of a deployment file with up to `jobs` at once (one after the other when 1 or a single firewall). */
export async function auditDeploymentInParallel(file: string, judge: JudgeOptions, jobs = defaultJobs()): Promise<AuditReport> {
  const { deployment, matrix } = loadDeploymentFile(file);
  const chosen = selectFirewalls(deployment, judge.firewalls);
  const count = chosen.firewalls.length;
  const workers = Math.min(jobs, count);
  const inProcess = workers <= 1 && !chosen.firewalls.some((fw) => configBytes(fw.configs) > LARGE_CONFIG_BYTES);
  const shares = inProcess
    ? chosen.firewalls.map((fw) => firewallShare(chosen, matrix, fw))
    : await sharesInOrder(count, workers, file, judge);
  return reportOfShares(chosen, matrix, shares, judge);
}

/** The shares of firewalls 0…count-1 (of the chosen ones), computed by `workers` threads. */
function sharesInOrder(count: number, workers: number, file: string, judge: JudgeOptions): Promise<FirewallShare[]> {
  const shares: FirewallShare[] = new Array<FirewallShare>(count);
  const start: WorkerStart = { deploymentFile: file, ...(judge.firewalls ? { firewalls: judge.firewalls } : {}) };
  let next = 0;
  let done = 0;
  return new Promise((resolve, reject) => {
    const pool: Worker[] = [];
    const fail = (error: Error): void => {
      for (const worker of pool) void worker.terminate();
      reject(error);
    };
    const hand = (worker: Worker): void => {
      if (next < count) worker.postMessage({ index: next++ } satisfies ShareRequest);
      else void worker.terminate();
    };
    for (let w = 0; w < workers; w++) {
      const worker = new Worker(WORKER_SCRIPT, { workerData: start, resourceLimits: { maxYoungGenerationSizeMb: YOUNG_GENERATION_MB } });
      pool.push(worker);
      worker.on('message', (reply: ShareReply) => {
        if ('error' in reply) return fail(new Error(reply.error));
        shares[reply.index] = reply.share;
        if (++done === count) resolve(shares);
        hand(worker);
      });
      worker.on('error', fail);
      hand(worker);
    }
  });
}

/** The size of a firewall's configuration files (one that cannot be read counts nothing: its audit says why). */
function configBytes(files: readonly string[]): number {
  let total = 0;
  for (const file of files) {
    try {
      total += fs.statSync(file).size;
    } catch {
      // Loading the firewall reports the file it cannot read.
    }
  }
  return total;
}
