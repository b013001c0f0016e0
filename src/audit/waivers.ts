import { type ParsedInput, parseInputFile } from '../input/document';
import { schemaDiagnostics } from '../input/schema';
import { InputError, type Location } from '../model/errors';
import type { FindingKind } from './types';

/** An accepted finding: it suppresses the findings that match all of its given fields, until it expires. */
export interface Waiver {
  fingerprint?: string;
  requirement?: string;
  firewall?: string;
  kind?: FindingKind;
  reason: string;
  /** The last day the waiver applies, YYYY-MM-DD. */
  expires?: string;
  /** Where the waiver is written, for reports. */
  location: Location;
}

/** A waiver file (YAML or JSON): a list of waivers, validated. */
export function loadWaivers(file: string): Waiver[] {
  return waiversFromInput(parseInputFile(file));
}

export function waiversFromInput(input: ParsedInput): Waiver[] {
  const problems = schemaDiagnostics(input, 'waivers');
  if (problems.length > 0) throw new InputError(problems);
  return (input.data as Omit<Waiver, 'location'>[]).map((waiver, index) => ({ ...waiver, location: input.locate(`/${index}`) }));
}
