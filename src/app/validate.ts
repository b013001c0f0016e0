import { matrixFromInput } from '../matrix/load';
import { type ParsedInput, parseInputFile, sortByPosition } from '../input/document';
import { type Diagnostic, InputError } from '../model/errors';
import { checkDeploymentAgainstMatrix, checkDeploymentFiles } from '../deployment/check';
import { deploymentFromInput, loadDeploymentMatrix } from '../deployment/load';
import { waiversFromInput } from '../audit/waivers';

export type InputFileKind = 'deployment' | 'matrix' | 'waivers';

export interface ValidationResult {
  /** What the file was taken for; absent when it could not be read or told apart. */
  kind?: InputFileKind;
  /** Empty when the file is valid. */
  diagnostics: Diagnostic[];
}

/**
 * `fwmatrix validate FILE`: whether FILE is a valid deployment, matrix or waiver file. A
 * deployment is also checked against its matrix, and the files it names must be readable.
 */
export function validateFile(file: string): ValidationResult {
  let input: ParsedInput;
  try {
    input = parseInputFile(file);
  } catch (error) {
    if (error instanceof InputError) return { diagnostics: error.diagnostics };
    throw error;
  }
  const kind = kindOf(input.data);
  if (kind === undefined) {
    return {
      diagnostics: [
        {
          location: { file },
          message:
            'cannot tell what this file is: expected a deployment (a mapping with matrix, roles, firewalls), ' +
            'a matrix (a mapping with requirements) or a waiver file (a list of waivers)',
        },
      ],
    };
  }
  try {
    return { kind, diagnostics: diagnosticsOf(kind, input) };
  } catch (error) {
    if (error instanceof InputError) return { kind, diagnostics: error.diagnostics };
    throw error;
  }
}

function kindOf(data: unknown): InputFileKind | undefined {
  if (Array.isArray(data)) return 'waivers';
  if (typeof data !== 'object' || data === null) return undefined;
  if ('requirements' in data) return 'matrix';
  if ('firewalls' in data || 'matrix' in data || 'roles' in data) return 'deployment';
  return undefined;
}

/** The problems of a file of that kind; the loaders throw InputError for the first stage that fails. */
function diagnosticsOf(kind: InputFileKind, input: ParsedInput): Diagnostic[] {
  switch (kind) {
    case 'matrix':
      matrixFromInput(input, false);
      return [];
    case 'waivers':
      waiversFromInput(input);
      return [];
    case 'deployment': {
      const deployment = deploymentFromInput(input);
      const matrix = loadDeploymentMatrix(deployment);
      return sortByPosition([...checkDeploymentAgainstMatrix(deployment, matrix), ...checkDeploymentFiles(deployment)]);
    }
  }
}
