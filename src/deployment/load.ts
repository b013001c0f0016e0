import * as fs from 'node:fs';
import * as path from 'node:path';
import { builtinMatrixIds, loadMatrix, type Matrix } from '../matrix';
import { type ParsedInput, parseInputFile } from '../input/document';
import { schemaDiagnostics } from '../input/schema';
import { type Diagnostic, InputError } from '../model/errors';
import { vendorOptions } from '../normalize/registry';
import { type Deployment, type Firewall, type SeverityLevel, type SeverityOverride, type Translation } from './types';

/** A deployment file as written: what the schema allows. */
interface DeploymentFile {
  matrix: string;
  roles: Record<string, string[]>;
  firewalls: FirewallFile[];
  optional?: string[];
  translations?: Translation[];
  severities?: { kinds?: Record<string, SeverityLevel>; overrides?: Omit<SeverityOverride, 'location'>[] };
}

interface FirewallFile {
  name: string;
  config: string | string[];
  type?: string;
  placement: 'host' | 'network';
  host?: string[];
  interfaces?: Record<string, string[]>;
  /** Options of one format or another (iptables: `ipsets`), which the schema defines. */
  [option: string]: unknown;
}

/** A deployment file (YAML or JSON), validated; its paths resolved against its folder. */
export function loadDeployment(file: string): Deployment {
  return deploymentFromInput(parseInputFile(file));
}

export function deploymentFromInput(input: ParsedInput): Deployment {
  const schemaProblems = schemaDiagnostics(input, 'deployment');
  if (schemaProblems.length > 0) throw new InputError(schemaProblems);
  const written = input.data as DeploymentFile;
  const nameProblems = duplicateFirewallNames(written, input);
  if (nameProblems.length > 0) throw new InputError(nameProblems);

  const baseDir = path.dirname(input.absolutePath);
  const resolve = (relative: string): string => path.resolve(baseDir, relative);
  return {
    file: input.absolutePath,
    matrix: builtinMatrixIds().includes(written.matrix) ? written.matrix : resolve(written.matrix),
    roles: new Map(Object.entries(written.roles)),
    firewalls: written.firewalls.map((firewall, index) => toFirewall(firewall, `/firewalls/${index}`, resolve)),
    optional: written.optional ?? [],
    translations: written.translations ?? [],
    severities: {
      kinds: written.severities?.kinds ?? {},
      overrides: (written.severities?.overrides ?? []).map((o, i) => ({ ...o, location: input.locate(`/severities/overrides/${i}`) })),
    },
    locate: input.locate,
  };
}

function toFirewall(written: FirewallFile, pointer: string, resolve: (relative: string) => string): Firewall {
  const common = {
    name: written.name,
    configs: (typeof written.config === 'string' ? [written.config] : written.config).map(resolve),
    ...(written.type !== undefined && { type: written.type }),
    ...(written.interfaces !== undefined && { interfaces: new Map(Object.entries(written.interfaces)) }),
    options: optionsOf(written, resolve),
    pointer,
  };
  // The schema requires host for placement host.
  return written.placement === 'host' ? { ...common, placement: 'host', host: written.host ?? [] } : { ...common, placement: 'network' };
}

/** The vendor options a firewall gives, their file paths resolved. */
function optionsOf(written: FirewallFile, resolve: (relative: string) => string): Record<string, unknown> {
  const options: Record<string, unknown> = {};
  for (const [name, option] of vendorOptions()) {
    const value = written[name];
    if (value !== undefined) options[name] = option.file && typeof value === 'string' ? resolve(value) : value;
  }
  return options;
}

function duplicateFirewallNames(deployment: DeploymentFile, input: ParsedInput): Diagnostic[] {
  const firstIndex = new Map<string, number>();
  const problems: Diagnostic[] = [];
  deployment.firewalls.forEach(({ name }, index) => {
    const first = firstIndex.get(name);
    if (first === undefined) {
      firstIndex.set(name, index);
      return;
    }
    const firstLine = input.locate(`/firewalls/${first}/name`).line;
    problems.push({
      location: input.locate(`/firewalls/${index}/name`),
      message: `duplicate firewall name '${name}' (also at line ${firstLine}); reports and waivers tell firewalls apart by name`,
    });
  });
  return problems;
}

/** The deployment's matrix; a matrix file that does not exist is reported at the deployment's `matrix:` line. */
export function loadDeploymentMatrix(deployment: Deployment): Matrix {
  const builtinIds = builtinMatrixIds();
  if (!builtinIds.includes(deployment.matrix) && !fs.existsSync(deployment.matrix)) {
    throw new InputError([
      {
        location: deployment.locate('/matrix'),
        message: `no built-in matrix or matrix file '${path.basename(deployment.matrix)}' (looked for ${deployment.matrix}; built-in matrices: ${builtinIds.join(', ')})`,
      },
    ]);
  }
  return loadMatrix(deployment.matrix);
}
