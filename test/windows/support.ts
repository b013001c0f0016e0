/** Shared pieces of the Windows tests: the fixtures, the site's roles, audits with options. */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { REPO_ROOT } from '../helpers/paths';
import { auditConfiguration } from '../../src/app/audit';
import type { AuditReport, RequirementResult } from '../../src/audit/types';

export const WINDOWS_FIXTURES = path.join(REPO_ROOT, 'test', 'windows', 'fixtures');
export const DIRECTOR01_GPO = path.join(WINDOWS_FIXTURES, 'configs', 'director01-gpo.xml');
export const DIRECTOR02_REG = path.join(WINDOWS_FIXTURES, 'configs', 'director02-policy.reg');
export const REAL_WINDOWS = path.join(REPO_ROOT, 'fixtures', 'real', 'windows');

/** The site of the fixtures' deployments (documentation addresses). */
export function siteRoles(director: string): Record<string, string[]> {
  return {
    'reverse-proxy-internal': ['192.0.2.10', '2001:db8:2::10'],
    director: [`198.51.100.${director}`, `2001:db8:100::${director}`],
    'front-end': ['198.51.100.21-198.51.100.23', '2001:db8:100::21-2001:db8:100::23'],
    'internal-clients': ['203.0.113.0/24', '2001:db8:3::/48'],
    'edge-internal': ['192.0.2.20', '2001:db8:2::20'],
    any: ['192.0.2.0/24', '198.51.100.0/24', '203.0.113.0/24', '2001:db8:2::/64', '2001:db8:100::/64', '2001:db8:3::/48'],
  };
}

/** Audits a Windows configuration of the site's Director `.director`, with the deployment options given (and roles changed). */
export function auditWindows(
  config: string,
  director: string,
  options: Record<string, unknown>,
  roles: Record<string, string[]> = {},
): AuditReport {
  return auditConfiguration(
    {
      config,
      matrix: 'lync2013-director-single',
      roles: { ...siteRoles(director), ...roles },
      placement: 'host',
      host: [`198.51.100.${director}`, `2001:db8:100::${director}`],
      options,
    },
    { failOn: 'none' },
  );
}

/** `requirement → status` for one variant (profile). */
export function statuses(report: AuditReport, variant: string): Record<string, string> {
  return Object.fromEntries(report.results.filter((r) => r.variant === variant).map((r) => [r.requirement, r.status]));
}

export function result(report: AuditReport, requirement: string, variant = 'domain'): RequirementResult {
  const found = report.results.find((r) => r.requirement === requirement && r.variant === variant);
  if (!found) throw new Error(`no result for ${requirement} (${variant})`);
  return found;
}

/** A temporary file with the given text, UTF-16LE with a byte-order mark and CRLF line ends, as Windows writes exports. */
export function windowsFile(name: string, text: string, encoding: 'utf16le' | 'utf8' = 'utf16le'): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'fwmatrix-windows-'));
  const file = path.join(dir, name);
  const crlf = text.replace(/\r?\n/g, '\r\n');
  fs.writeFileSync(file, encoding === 'utf16le' ? Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(crlf, 'utf16le')]) : crlf);
  return file;
}

/** A reg export of the policy store with these profile values (key → value lines) and rule strings. */
export function policyStore(profiles: Record<string, string[]>, rules: string[]): string {
  const root = 'HKEY_LOCAL_MACHINE\\SOFTWARE\\Policies\\Microsoft\\WindowsFirewall';
  return [
    'Windows Registry Editor Version 5.00',
    '',
    ...Object.entries(profiles).flatMap(([key, values]) => [`[${root}\\${key}]`, ...values, '']),
    `[${root}\\FirewallRules]`,
    ...rules.map((rule, i) => `"{R${i + 1}}"="${rule.replace(/\\/g, '\\\\')}"`),
    '',
  ].join('\n');
}
