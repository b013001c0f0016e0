import * as fs from 'node:fs';
import { type Matrix } from '../matrix';
import { escapePointerSegment } from '../input/document';
import { type Diagnostic } from '../model/errors';
import { vendorOptions } from '../normalize/registry';
import { type Deployment, translationMembers } from './types';

/** The role fwmatrix itself gives addresses to: every address, unless a deployment says otherwise. */
const ANY_ROLE = 'any';

/**
 * Roles: every role the matrix's requirements use needs addresses in the deployment (except a
 * built-in role), and every role the deployment gives must be one the matrix knows (or `any`).
 */
export function checkRolesAgainstMatrix(deployment: Deployment, matrix: Matrix): Diagnostic[] {
  const problems: Diagnostic[] = [];
  const knownRoles = [...matrix.roles.map((role) => role.id), ...(matrix.roles.some((role) => role.id === ANY_ROLE) ? [] : [ANY_ROLE])];
  for (const role of deployment.roles.keys()) {
    if (knownRoles.includes(role)) continue;
    problems.push({
      location: deployment.locate(`/roles/${escapePointerSegment(role)}`, 'key'),
      message: `unknown role '${role}' for matrix ${matrix.id}${didYouMean(role, knownRoles)}; expected one of ${knownRoles.join(', ')}`,
    });
  }
  const builtinRoles = new Set(matrix.roles.filter((role) => role.builtin).map((role) => role.id));
  const requirementsByRole = new Map<string, string[]>();
  for (const requirement of matrix.requirements) {
    for (const role of new Set([requirement.source, requirement.destination])) {
      if (builtinRoles.has(role)) continue;
      requirementsByRole.set(role, [...(requirementsByRole.get(role) ?? []), requirement.id]);
    }
  }
  for (const [role, requirementIds] of requirementsByRole) {
    if (deployment.roles.has(role)) continue;
    problems.push({
      location: deployment.locate('/roles', 'key'),
      message: `missing role '${role}': matrix ${matrix.id} needs its addresses (for ${requirementIds.join(', ')})`,
    });
  }
  return problems;
}

/** checkRolesAgainstMatrix, and the requirement ids under `optional` and the VIP roles of `translations`. */
export function checkDeploymentAgainstMatrix(deployment: Deployment, matrix: Matrix): Diagnostic[] {
  const problems = checkRolesAgainstMatrix(deployment, matrix);
  const requirementIds = matrix.requirements.map((requirement) => requirement.id);
  deployment.optional.forEach((id, index) => {
    if (requirementIds.includes(id)) return;
    problems.push({
      location: deployment.locate(`/optional/${index}`),
      message: `unknown requirement '${id}' in matrix ${matrix.id}${didYouMean(id, requirementIds)}`,
    });
  });
  const vipRoles = matrix.roles.filter((role) => !role.builtin).map((role) => role.id);
  deployment.translations.forEach((translation, index) => {
    const { vip } = translation;
    if (!vipRoles.includes(vip)) {
      problems.push({
        location: deployment.locate(`/translations/${index}/vip`),
        message: `unknown role '${vip}' for matrix ${matrix.id}${didYouMean(vip, vipRoles)}; expected the load balancer VIP's role, one of ${vipRoles.join(', ')}`,
      });
      return;
    }
    const members = translationMembers(translation);
    if (!vipRoles.includes(members) || members === vip) {
      problems.push({
        location: deployment.locate(`/translations/${index}${translation.members ? '/members' : ''}`),
        message: `the pool members' role '${members}' is not a role of matrix ${matrix.id}; name it with "members:" (one of ${vipRoles.filter((r) => r !== vip).join(', ')})`,
      });
    }
  });
  return problems;
}

/** The configuration and ipset files the deployment names, where they cannot be read. */
export function checkDeploymentFiles(deployment: Deployment): Diagnostic[] {
  const problems: Diagnostic[] = [];
  const check = (file: string, pointer: string, what: string): void => {
    const problem = unreadable(file);
    if (problem !== undefined) problems.push({ location: deployment.locate(pointer), message: `cannot read ${what} ${file}: ${problem}` });
  };
  for (const firewall of deployment.firewalls) {
    // `config/0` also locates a config written as a single string.
    firewall.configs.forEach((file, index) => check(file, `${firewall.pointer}/config/${index}`, 'configuration file'));
    for (const [name, option] of vendorOptions()) {
      const value = firewall.options[name];
      if (option.file && typeof value === 'string') check(value, `${firewall.pointer}/${name}`, option.title);
    }
  }
  return problems;
}

function unreadable(file: string): string | undefined {
  try {
    if (!fs.statSync(file).isFile()) return 'not a file';
    fs.accessSync(file, fs.constants.R_OK);
    return undefined;
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    return code === 'ENOENT' ? 'no such file' : code === 'EACCES' ? 'permission denied' : String(error);
  }
}

/** " (did you mean 'director'?)" when a known name is a typo away. */
function didYouMean(name: string, known: string[]): string {
  let best: string | undefined;
  let bestDistance = 3;
  for (const candidate of known) {
    const distance = editDistance(name, candidate);
    if (distance < bestDistance) {
      best = candidate;
      bestDistance = distance;
    }
  }
  return best === undefined ? '' : ` (did you mean '${best}'?)`;
}

/** Levenshtein distance. */
function editDistance(a: string, b: string): number {
  let previous = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const current = [i];
    for (let j = 1; j <= b.length; j++) {
      current[j] = Math.min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (a[i - 1] === b[j - 1] ? 0 : 1));
    }
    previous = current;
  }
  return previous[b.length];
}
