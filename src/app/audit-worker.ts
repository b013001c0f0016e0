/** A worker thread of auditDeploymentInParallel: audits the firewalls it is handed, by position among the chosen ones. */
import { parentPort, workerData } from 'node:worker_threads';
import { firewallShare, loadDeploymentFile, selectFirewalls } from './audit';
import type { ShareReply, ShareRequest, WorkerStart } from './parallel-audit';

const start = workerData as WorkerStart;
const { deployment, matrix } = loadDeploymentFile(start.deploymentFile);
const chosen = selectFirewalls(deployment, start.firewalls);

parentPort!.on('message', ({ index }: ShareRequest) => {
  let reply: ShareReply;
  try {
    reply = { index, share: firewallShare(chosen, matrix, chosen.firewalls[index]!) };
  } catch (e) {
    reply = { index, error: e instanceof Error ? (e.stack ?? e.message) : String(e) };
  }
  parentPort!.postMessage(reply);
});
