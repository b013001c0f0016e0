/** Evidence: SHA-256 digests of the files an audit read, so that a report says exactly what it judged. */
import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { displayPath } from '../input';
import { vendorOptions } from '../normalize';
import type { AuditEvidence, FileDigest } from '../audit/types';
import type { Deployment } from '../deployment';
import type { Matrix } from '../matrix';

export function fileDigest(file: string): FileDigest {
  const bytes = fs.readFileSync(file);
  return { file: displayPath(file), sha256: createHash('sha256').update(bytes).digest('hex'), bytes: bytes.length };
}

/** Every input of the audit: the deployment (unless the options stood for one), each firewall's files, the matrix, waivers and baseline. */
export function auditEvidence(
  deployment: Deployment,
  matrix: Matrix,
  judge: { waivers?: string; baseline?: string },
  now: Date,
): AuditEvidence {
  const options = vendorOptions();
  const inputs = deployment.firewalls.flatMap((fw) => [
    ...fw.configs.map((file) => ({ firewall: fw.name, kind: 'configuration', ...fileDigest(file) })),
    ...Object.entries(fw.options).flatMap(([name, value]) =>
      options.get(name)?.file && typeof value === 'string' ? [{ firewall: fw.name, kind: name, ...fileDigest(value) }] : [],
    ),
  ]);
  return {
    generatedAt: now.toISOString(),
    // A deployment the command line's options stand for has no file.
    deployment: path.isAbsolute(deployment.file) ? fileDigest(deployment.file) : null,
    inputs,
    matrix: fileDigest(matrix.file),
    ...(judge.waivers !== undefined ? { waivers: fileDigest(judge.waivers) } : {}),
    ...(judge.baseline !== undefined ? { baseline: fileDigest(judge.baseline) } : {}),
  };
}
