/**
 * Reading one firewall's configuration files: the format (given or detected), its parser and
 * normalizer, then the vendor-neutral check of every program they made.
 */
import { InputError } from '../model/errors';
import { checkProgram } from '../model/check';
import type { DeclaredInterface, PolicyProgram } from '../model/policy';
import type { AddressSet } from '../packetset';
import type { Diagnostic } from '../model/errors';
import type { NormalizeContext } from './format';
import { readConfigText } from './read';
import { CONFIG_TYPES, detectFormat, formatOf } from './registry';

export interface LoadedConfig {
  type: string;
  files: string[];
  programs: PolicyProgram[];
  /** The syntax trees, for `fwmatrix parse`. */
  trees: { file: string; tree: unknown }[];
  warnings: Diagnostic[];
  /** Interfaces and their networks as the configuration declares them. */
  interfaces: DeclaredInterface[];
  ownAddresses?: AddressSet;
}

export interface LoadOptions extends Partial<NormalizeContext> {
  type?: string;
  /** Whether to keep the syntax trees (the default): an audit needs only the programs, and a large dump's trees take more memory than its programs. */
  trees?: boolean;
}

export function loadConfig(files: string[], options: LoadOptions = {}): LoadedConfig {
  const sources = files.map((file) => ({ file, text: readConfigText(file) }));
  const format = options.type === undefined ? detectFormat(sources[0].text, files[0]) : formatOf(options.type);
  if (format === undefined)
    throw new InputError([
      { location: { file: files[0] }, message: `unknown configuration type "${options.type}": expected one of ${CONFIG_TYPES.join(', ')}` },
    ]);
  const normalized = format.load(sources, {
    interfaceNames: options.interfaceNames ?? [],
    options: options.options ?? {},
    ...(options.localAddresses ? { localAddresses: options.localAddresses } : {}),
    ...(options.interfaces ? { interfaces: options.interfaces } : {}),
  });
  const problems = normalized.programs.flatMap(checkProgram);
  if (problems.length > 0) throw new InputError(problems);
  return {
    type: format.type,
    files,
    programs: normalized.programs,
    trees: options.trees === false ? [] : normalized.trees,
    warnings: normalized.warnings,
    interfaces: normalized.interfaces ?? [],
    ...(normalized.ownAddresses ? { ownAddresses: normalized.ownAddresses } : {}),
  };
}
