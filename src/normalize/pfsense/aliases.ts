/**
 * Aliases as the firewall expands them into pf tables and macros. Host and network aliases hold
 * addresses, networks, ranges, host names and other aliases (nested ones are expanded, a cycle is
 * cut and reported); port aliases hold ports, ranges and port aliases. A host name makes the
 * table's content known only at run time, and so do the alias types whose content is downloaded
 * or looked up (URL tables, GeoIP, …). pfSense's alias_expand loads a rule using a downloaded
 * alias only while the download holds entries, which the config.xml does not show: such a rule is
 * undecided, not dropped. OPNsense loads the table at run time. OPNsense entries may be
 * `!`-excluded (pf's most specific entry wins).
 */
import type { Alias, ConfigDocument } from '../../../parsers/pfsense-config/src';
import type { Diagnostic } from '../../model/errors';
import { FAMILIES, Ranges, addressBits, parseNetwork, type Family } from '../../packetset';
import type { Dialect } from './dialect';
import { exact, unionFuzzy, unknown, type Fuzzy } from './fuzzy';
import { allAddresses } from './interfaces';
import { portRange } from './services';

export type FamilyFuzzy = Readonly<Record<Family, Fuzzy>>;

/** What a name in an address or port field resolves to, or why the firewall cannot use it. */
export type Resolution<T> = { readonly ok: true; readonly value: T } | { readonly ok: false; readonly reason: string };

const ADDRESS_TYPES = new Set(['host', 'network', 'networkgroup']);
/** pfSense: alias types whose content is downloaded at run time. */
const PFSENSE_DOWNLOADED_ADDRESSES = new Set(['url', 'urltable']);
const PFSENSE_DOWNLOADED_PORTS = new Set(['url_ports', 'urltable_ports']);

function downloaded(name: string, type: string): string {
  return `alias ${name} is a ${type} alias: pfSense downloads its content at run time, and loads a rule using it only while the download holds entries`;
}
/** pfSense's own tables (bogons, sshguard, …), filled at run time. */
const PFSENSE_RESERVED_TABLES = new Set(['bogons', 'bogonsv6', 'sshguard', 'virusprot', 'snort2c', 'sshlockout', 'webconfiguratorlockout']);

/** A host name as pfSense's is_hostname() reads one (letters, digits, hyphens, underscores, dots). */
const HOST_NAME = /^(?:[a-z0-9_](?:[a-z0-9_-]*[a-z0-9_])?\.)*[a-z0-9_](?:[a-z0-9_-]*[a-z0-9_])?\.?$/i;

/** An entry of an address alias, parsed. */
type AddressEntry =
  | { kind: 'network'; family: Family; ranges: Ranges; prefix: number; negated: boolean }
  | { kind: 'alias'; name: string; negated: boolean }
  | { kind: 'host'; name: string };

function prefixOf(family: Family, ranges: Ranges): number {
  const size = ranges.size();
  return addressBits(family) - (size.toString(2).length - 1);
}

export class AliasTable {
  private readonly aliases = new Map<string, Alias>();
  private readonly addressCache = new Map<string, Resolution<FamilyFuzzy>>();
  private readonly reportedCycles = new Set<string>();
  /** Aliases nested in several others are read several times: each problem is reported once. */
  private readonly reported = new Set<string>();

  constructor(
    config: ConfigDocument,
    private readonly dialect: Dialect,
    private readonly file: string,
    private readonly warnings: Diagnostic[],
  ) {
    for (const alias of config.aliases) {
      const name = alias.name?.value ?? '';
      if (name === '') {
        warnings.push({ location: { file, line: alias.line, path: alias.path }, message: 'alias without a <name> ignored' });
        continue;
      }
      if (this.aliases.has(name)) {
        warnings.push({
          location: { file, line: alias.line, path: alias.path },
          message: `a second alias named ${name} ignored: the first one is used`,
        });
        continue;
      }
      this.aliases.set(name, alias);
    }
  }

  get(name: string): Alias | undefined {
    return this.aliases.get(name);
  }

  private typeOf(alias: Alias): string {
    return alias.type?.value ?? '';
  }

  /** Whether a name is a port alias (a port field's alias). */
  isPortAlias(name: string): boolean {
    const alias = this.aliases.get(name);
    return alias !== undefined && this.typeOf(alias) === 'port';
  }

  /** Whether a name stands for addresses: an address alias of any type, or one of the firewall's own tables. */
  isAddressName(name: string): boolean {
    const alias = this.aliases.get(name);
    if (alias !== undefined) return this.typeOf(alias) !== 'port';
    return this.dialect.vendor === 'pfsense' && PFSENSE_RESERVED_TABLES.has(name.toLowerCase());
  }

  /** The addresses an address name stands for, per family; undefined when the name is not one. */
  addresses(name: string): Resolution<FamilyFuzzy> | undefined {
    if (!this.isAddressName(name)) return undefined;
    const cached = this.addressCache.get(name);
    if (cached !== undefined) return cached;
    const resolved = this.resolveAddresses(name, [name]);
    this.addressCache.set(name, resolved);
    return resolved;
  }

  private resolveAddresses(name: string, chain: string[]): Resolution<FamilyFuzzy> {
    const alias = this.aliases.get(name);
    if (alias === undefined) {
      const reason = `${name} is one of ${this.dialect.product}'s own tables, filled at run time`;
      return { ok: true, value: { 4: unknown(allAddresses(4), reason), 6: unknown(allAddresses(6), reason) } };
    }
    const type = this.typeOf(alias);
    if (this.dialect.vendor === 'pfsense' && PFSENSE_DOWNLOADED_ADDRESSES.has(type)) {
      const reason = downloaded(name, type);
      return { ok: true, value: { 4: unknown(allAddresses(4), reason), 6: unknown(allAddresses(6), reason) } };
    }
    if (this.dialect.vendor === 'opnsense' && alias.enabled !== undefined && !this.dialect.flag(alias.enabled)) {
      this.warn(alias, `alias ${name} is disabled: OPNsense keeps its table empty`);
      return { ok: true, value: { 4: exact(Ranges.EMPTY), 6: exact(Ranges.EMPTY) } };
    }
    if (!ADDRESS_TYPES.has(type)) {
      const reason = `alias ${name} is a ${type || 'typeless'} alias, whose content ${this.dialect.product} looks up at run time`;
      return { ok: true, value: { 4: unknown(allAddresses(4), reason), 6: unknown(allAddresses(6), reason) } };
    }
    const entries = alias.entries.flatMap((entry) => this.parseEntry(alias, entry));
    return this.combine(alias, entries, chain);
  }

  private parseEntry(alias: Alias, written: string): AddressEntry[] {
    const negated = this.dialect.vendor === 'opnsense' && written.startsWith('!');
    const entry = negated ? written.slice(1) : written;
    if (this.aliases.has(entry)) return [{ kind: 'alias', name: entry, negated }];
    const network = parseNetwork(entry);
    if (network !== undefined) {
      // A range becomes the CIDR blocks that cover it, each its own table entry.
      return network.ranges.intervals.map(([lo, hi]) => {
        const ranges = Ranges.of(lo, hi);
        return { kind: 'network', family: network.family, ranges, prefix: prefixOf(network.family, ranges), negated };
      });
    }
    if (HOST_NAME.test(entry) && !negated) return [{ kind: 'host', name: entry }];
    this.warn(alias, `entry "${written}" of alias ${alias.name?.value} ignored: expected an address, network, range, host name or alias`);
    return [];
  }

  /**
   * The table's content: pf looks up the most specific entry, so entries apply from the least
   * specific to the most specific, excluded ones taking their addresses out again.
   */
  private combine(alias: Alias, entries: AddressEntry[], chain: string[]): Resolution<FamilyFuzzy> {
    const name = alias.name?.value ?? '';
    const result: Record<Family, Fuzzy> = { 4: exact(Ranges.EMPTY), 6: exact(Ranges.EMPTY) };
    const networks = entries.filter((e): e is Extract<AddressEntry, { kind: 'network' }> => e.kind === 'network');
    networks.sort((a, b) => a.prefix - b.prefix);
    const hosts = entries.filter((e) => e.kind === 'host');
    for (const entry of entries) {
      if (entry.kind !== 'alias') continue;
      if (chain.includes(entry.name)) {
        this.reportCycle(alias, [...chain, entry.name]);
        continue;
      }
      const nested = this.resolveAddresses(entry.name, [...chain, entry.name]);
      if (!nested.ok) return nested;
      for (const family of FAMILIES) {
        result[family] = entry.negated ? subtract(result[family], nested.value[family]) : unionFuzzy(result[family], nested.value[family]);
      }
    }
    for (const entry of networks) {
      const part = exact(entry.ranges);
      result[entry.family] = entry.negated ? subtract(result[entry.family], part) : unionFuzzy(result[entry.family], part);
    }
    if (hosts.length > 0) {
      const names = hosts.map((h) => (h.kind === 'host' ? h.name : '')).join(', ');
      const reason = `alias ${name} holds host names (${names}), resolved at run time`;
      for (const family of FAMILIES) result[family] = unionFuzzy(result[family], unknown(allAddresses(family), reason));
    }
    return { ok: true, value: result };
  }

  private reportCycle(alias: Alias, cycle: string[]): void {
    const key = [...new Set(cycle)].sort().join(' ');
    if (this.reportedCycles.has(key)) return;
    this.reportedCycles.add(key);
    this.warn(alias, `aliases nest in a cycle (${cycle.join(' → ')}): the nesting is cut there`);
  }

  /** The ports a port alias stands for; undefined when the name is not a port alias. */
  ports(name: string): Resolution<Ranges> | undefined {
    if (!this.isPortAlias(name)) return undefined;
    return this.resolvePorts(name, [name]);
  }

  /** Why the ports a pfSense downloaded port alias stands for are known only at run time; undefined for any other name. */
  downloadedPorts(name: string): string | undefined {
    const alias = this.aliases.get(name);
    if (alias === undefined || this.dialect.vendor !== 'pfsense' || !PFSENSE_DOWNLOADED_PORTS.has(this.typeOf(alias))) return undefined;
    return downloaded(name, this.typeOf(alias));
  }

  private resolvePorts(name: string, chain: string[]): Resolution<Ranges> {
    const alias = this.aliases.get(name)!;
    let ports = Ranges.EMPTY;
    for (const entry of alias.entries) {
      if (this.isPortAlias(entry)) {
        if (chain.includes(entry)) {
          this.reportCycle(alias, [...chain, entry]);
          continue;
        }
        const nested = this.resolvePorts(entry, [...chain, entry]);
        if (!nested.ok) return nested;
        ports = ports.union(nested.value);
        continue;
      }
      const range = portRange(entry);
      if (range === undefined)
        this.warn(alias, `entry "${entry}" of port alias ${name} ignored: expected a port, a range a:b or a port alias`);
      else ports = ports.union(range);
    }
    if (ports.isEmpty()) return { ok: false, reason: `port alias ${name} is empty` };
    return { ok: true, value: ports };
  }

  private warn(alias: Alias, message: string): void {
    const key = `${alias.line} ${message}`;
    if (this.reported.has(key)) return;
    this.reported.add(key);
    this.warnings.push({ location: { file: this.file, line: alias.line, path: alias.path }, message });
  }
}

function subtract(from: Fuzzy, part: Fuzzy): Fuzzy {
  return {
    surely: from.surely.subtract(part.may),
    may: from.may.subtract(part.surely),
    uncertain: [...new Set([...from.uncertain, ...part.uncertain])],
  };
}
