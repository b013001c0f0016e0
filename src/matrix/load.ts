import * as fs from 'node:fs';
import * as path from 'node:path';
import { type Diagnostic, InputError } from '../model/errors';
import { displayPath, type ParsedInput, parseInputFile, sortByPosition } from '../input/document';
import { packageRoot } from '../input/package-root';
import { parsePortRange } from './ports';
import { schemaDiagnostics } from '../input/schema';
import { type Matrix, type Requirement } from './types';

/** The client port of a required flow, where the documents do not constrain it: the ephemeral range. */
const DEFAULT_SOURCE_PORTS = '1024-65535';

/** A matrix file as written: what the schema allows, before defaults. */
interface MatrixFile {
  id: string;
  version?: string;
  title: string;
  description: string;
  sources?: Matrix['sources'];
  roles: { id: string; title: string; description?: string; builtin?: boolean }[];
  errata?: Matrix['errata'];
  requirements: RequirementFile[];
}

type WrittenPorts = (number | string)[];

interface RequirementFile extends Omit<Requirement, 'ports' | 'sourcePorts' | 'errata' | 'optional'> {
  ports: WrittenPorts;
  sourcePorts?: WrittenPorts;
  errata?: string[];
  optional?: boolean;
}

function builtinMatricesDir(): string {
  return path.join(packageRoot(), 'matrices');
}

/** The ids of the matrices that come with fwmatrix (the files in matrices/), sorted. */
export function builtinMatrixIds(): string[] {
  return fs
    .readdirSync(builtinMatricesDir())
    .filter((name) => name.endsWith('.json'))
    .map((name) => name.slice(0, -'.json'.length))
    .sort();
}

export function builtinMatrices(): Matrix[] {
  return builtinMatrixIds().map((id) => loadMatrix(id));
}

/**
 * A built-in matrix by id, or a matrix file (YAML or JSON) by path, relative to baseDir
 * (default: the current directory). A built-in id wins over a file of the same name; write
 * `./name` for the file.
 */
export function loadMatrix(idOrPath: string, baseDir: string = process.cwd()): Matrix {
  const builtinIds = builtinMatrixIds();
  if (builtinIds.includes(idOrPath)) {
    return matrixFromInput(parseInputFile(path.join(builtinMatricesDir(), `${idOrPath}.json`)), true);
  }
  const file = path.resolve(baseDir, idOrPath);
  if (!fs.existsSync(file)) {
    throw new InputError([
      {
        location: { file: displayPath(file) },
        message: `no built-in matrix or matrix file '${idOrPath}' (built-in matrices: ${builtinIds.join(', ')})`,
      },
    ]);
  }
  return matrixFromInput(parseInputFile(displayPath(file)), false);
}

/** The matrix in a parsed file, checked against the schema and for consistency. */
export function matrixFromInput(input: ParsedInput, builtin: boolean): Matrix {
  const schemaProblems = schemaDiagnostics(input, 'matrix');
  if (schemaProblems.length > 0) throw new InputError(schemaProblems);
  const written = input.data as MatrixFile;
  const problems = consistencyDiagnostics(written, input, builtin);
  if (problems.length > 0) throw new InputError(sortByPosition(problems));
  return {
    id: written.id,
    ...(written.version !== undefined ? { version: written.version } : {}),
    title: written.title,
    description: written.description,
    sources: written.sources ?? [],
    roles: written.roles.map((role) => ({ ...role, builtin: role.builtin ?? false })),
    errata: written.errata ?? [],
    requirements: written.requirements.map((requirement): Requirement => ({
      ...requirement,
      ports: requirement.ports.map(parsePortRange),
      sourcePorts: (requirement.sourcePorts ?? [DEFAULT_SOURCE_PORTS]).map(parsePortRange),
      errata: requirement.errata ?? [],
      optional: requirement.optional ?? false,
    })),
    file: input.absolutePath,
    builtin,
  };
}

/** What the schema cannot say: unique ids, references to roles, documents and errata, port ranges. */
function consistencyDiagnostics(matrix: MatrixFile, input: ParsedInput, builtin: boolean): Diagnostic[] {
  const problems: Diagnostic[] = [];
  const report = (pointer: string, message: string): void => {
    problems.push({ location: input.locate(pointer), message });
  };
  if (builtin) {
    const fileId = path.basename(input.absolutePath, '.json');
    if (matrix.id !== fileId) report('/id', `a built-in matrix's id is its file name: expected ${fileId}`);
  }

  const idsOf = (items: { id: string }[], pointer: string, what: string): string[] => {
    const firstIndex = new Map<string, number>();
    items.forEach(({ id }, index) => {
      const first = firstIndex.get(id);
      if (first === undefined) firstIndex.set(id, index);
      else report(`${pointer}/${index}/id`, `duplicate ${what} id '${id}' (also at line ${input.locate(`${pointer}/${first}/id`).line})`);
    });
    return [...firstIndex.keys()];
  };
  const sourceIds = idsOf(matrix.sources ?? [], '/sources', 'source document');
  const roleIds = idsOf(matrix.roles, '/roles', 'role');
  const errataIds = idsOf(matrix.errata ?? [], '/errata', 'erratum');
  idsOf(matrix.requirements, '/requirements', 'requirement');

  const unknown = (what: string, id: string, known: string[]): string =>
    known.length > 0 ? `unknown ${what} '${id}'; expected one of ${known.join(', ')}` : `unknown ${what} '${id}': the matrix lists none`;
  matrix.requirements.forEach((requirement, index) => {
    const at = `/requirements/${index}`;
    for (const end of ['source', 'destination'] as const) {
      const role = requirement[end];
      if (roleIds.includes(role)) continue;
      const hint = role === 'any' ? ' (declare the built-in role: { id: any, title: …, builtin: true })' : '';
      report(`${at}/${end}`, unknown('role', role, roleIds) + hint);
    }
    if (requirement.document !== undefined && !sourceIds.includes(requirement.document)) {
      report(`${at}/document`, unknown('source document', requirement.document, sourceIds));
    }
    requirement.errata?.forEach((id, i) => {
      if (!errataIds.includes(id)) report(`${at}/errata/${i}`, unknown('erratum', id, errataIds));
    });
    for (const field of ['ports', 'sourcePorts'] as const) {
      requirement[field]?.forEach((ports, i) => {
        const problem = portRangeProblem(ports);
        if (problem !== undefined) report(`${at}/${field}/${i}`, problem);
      });
    }
  });
  return problems;
}

function portRangeProblem(written: number | string): string | undefined {
  if (typeof written === 'number') return undefined;
  const { from, to } = parsePortRange(written);
  if (from > 65535 || to > 65535) return `port range '${written}' goes beyond 65535`;
  if (from > to) return `port range '${written}' is reversed: expected lo-hi with lo <= hi`;
  return undefined;
}
