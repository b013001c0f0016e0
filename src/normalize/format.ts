/** What a vendor plugs into fwmatrix: one input format's detection, parser and normalizer. */
import type { Diagnostic } from '../model/errors';
import type { DeclaredInterface, PolicyProgram } from '../model/policy';
import type { AddressSet } from '../packetset';

/** A configuration file's path and text. */
export interface SourceFile {
  file: string;
  text: string;
}

/** What the deployment tells a normalizer about the firewall. */
export interface NormalizeContext {
  /** Interface names the deployment gives, so that each has its own index. */
  interfaceNames: readonly string[];
  /** The firewall's own addresses, when the deployment gives them (a host's). */
  localAddresses?: AddressSet;
  /** The deployment's interfaces with the networks behind them (a host's: its own networks), when it gives them. */
  interfaces?: readonly DeclaredInterface[];
  /** The deployment's options for this format (iptables: `ipsets`), by name, as validated by the schema; file paths absolute. */
  options: Readonly<Record<string, unknown>>;
}

export interface Normalized {
  /** One program per address family the files cover. */
  programs: PolicyProgram[];
  /** The syntax trees, in the vendor's own words, for `fwmatrix parse`. */
  trees: { file: string; tree: unknown }[];
  /** What the parser or normalizer noticed but did not stop on (an option ignored, a rule the firewall drops). */
  warnings: Diagnostic[];
  /** Interfaces and the networks behind them, as the configuration itself declares them. */
  interfaces?: DeclaredInterface[];
  /** The firewall's own addresses, as the configuration declares them. */
  ownAddresses?: AddressSet;
}

export interface VendorOption {
  /** What it is, in a sentence's words: `ipset file`. */
  title: string;
  description: string;
  /** A path, resolved against the deployment file's folder and checked for readability. */
  file?: boolean;
}

export interface ConfigFormat {
  /** The `--type` / `type:` id. */
  type: string;
  /** What the format is, for help and messages. */
  title: string;
  /**
   * Where such a firewall usually stands: the placement of a configuration audited without a
   * deployment and without --placement (a pfSense box forwards; an iptables or Windows host
   * mostly protects itself).
   */
  placement: 'host' | 'network';
  /** Deployment options only this format reads, by name (the deployment schema defines their syntax). */
  options: Readonly<Record<string, VendorOption>>;
  /** Whether the start of a file's text is of this format. */
  detect(head: string): boolean;
  /** Parses and normalizes the files of one firewall; bad input throws an InputError. */
  load(sources: SourceFile[], context: NormalizeContext): Normalized;
}
