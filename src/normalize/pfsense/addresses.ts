/**
 * A rule's source or destination, resolved to addresses of one family as the firewall's rule
 * generator resolves it: pfSense's filter_generate_address (`<any/>`, `<address>`, `<network>`,
 * `<not/>`), OPNsense's Rule::mapAddressInfo (one word: any, (self), an interface, `lanip`, an
 * alias, an address or network). Where the generator would write no address, the rule is not
 * loaded: that is a Resolution that is not ok, with the reason.
 */
import { FAMILIES, Ranges, parseAddress, parseNetwork, type Family } from '../../packetset';
import type { AliasTable, Resolution } from './aliases';
import { complementFuzzy, exact, unknown, type Fuzzy } from './fuzzy';
import { allAddresses, type InterfaceTable } from './interfaces';

export interface AddressContext {
  readonly interfaces: InterfaceTable;
  readonly aliases: AliasTable;
}

const INTERFACE_ADDRESS = /^(wan|lan|opt\d+)ip$/;

function ok(value: Fuzzy): Resolution<Fuzzy> {
  return { ok: true, value };
}

function dropped(reason: string): Resolution<Fuzzy> {
  return { ok: false, reason };
}

function negate(resolution: Resolution<Fuzzy>, negated: boolean, family: Family): Resolution<Fuzzy> {
  return resolution.ok && negated ? ok(complementFuzzy(resolution.value, allAddresses(family))) : resolution;
}

/** An address, CIDR network or range written in a rule; undefined when it is not one. */
function literal(text: string, family: Family): Fuzzy | undefined {
  const network = parseNetwork(text);
  if (network === undefined) return undefined;
  return exact(network.family === family ? network.ranges : Ranges.EMPTY);
}

/**
 * pfSense `<network>`: an interface's networks (`lan`, `opt2`, an interface group), its address
 * (`lanip`, `opt2ip`), or `(self)`. Anything else, a CIDR or a disabled interface included,
 * gives no address and pfSense drops the rule.
 */
function pfsenseNetwork(network: string, family: Family, context: AddressContext, side: string): Resolution<Fuzzy> {
  const { interfaces } = context;
  if (network === '(self)') return ok(interfaces.self(family));
  const group = interfaces.group(network);
  if (group !== undefined) {
    // The group's table holds both families; only a group without any network gives no address.
    const empty = FAMILIES.every((f) => interfaces.groupNetwork(group, f).may.isEmpty());
    return empty
      ? dropped(`${side} ${network}: no member of the interface group has a network`)
      : ok(interfaces.groupNetwork(group, family));
  }
  const addressOf = INTERFACE_ADDRESS.exec(network);
  const iface = interfaces.get(addressOf ? addressOf[1] : network);
  const keyword = addressOf !== null || /^(wan|lan|opt\d+)$/.test(network);
  if (!keyword || iface === undefined || !iface.enabled) {
    return dropped(`${side} <network>${network}</network> is neither an enabled interface, its address, an interface group nor (self)`);
  }
  if (addressOf) {
    const address = interfaces.address(iface, family);
    return address.may.isEmpty() ? dropped(`${side} ${network}: ${iface.label} has no IPv${family} address`) : ok(address);
  }
  // The interface's table holds both families; only an interface without any network gives no address.
  const empty = FAMILIES.every((f) => interfaces.network(iface, f).may.isEmpty());
  return empty ? dropped(`${side} ${network}: ${iface.label} has no network`) : ok(interfaces.network(iface, family));
}

/** A pfSense `<source>`/`<destination>`: which of its children are there, as filter_generate_address reads them. */
export interface PfsenseEndpoint {
  readonly any: boolean;
  readonly network: string;
  readonly address: string;
  readonly not: boolean;
  /** The rule's `<interface>`: a host part (`::10`) joins its IPv6 prefix. */
  readonly interfaceKey?: string;
}

/** pfSense's merge_ipv6_delegated_prefix: how many leading bits of the prefix it keeps, by prefix length. */
const KEPT_PREFIX_BITS: ReadonlyMap<number, number> = new Map([
  [48, 48],
  [52, 52],
  [56, 56],
  [59, 60],
  [60, 60],
]);

/**
 * `<address>::10</address>`: a static host part, which pfSense joins to the IPv6 prefix of the
 * rule's interface (redmine 6626); unknown where the config.xml does not give that prefix.
 */
function hostPart(endpoint: PfsenseEndpoint, family: Family, context: AddressContext, side: string): Resolution<Fuzzy> | undefined {
  const suffix = endpoint.address.startsWith('::') ? parseAddress(endpoint.address) : undefined;
  if (suffix === undefined || suffix.family !== 6) return undefined;
  if (family === 4) return ok(exact(Ranges.EMPTY));
  const iface = context.interfaces.get(endpoint.interfaceKey ?? '');
  const addressing = iface?.addressing[6];
  if (addressing?.kind !== 'static') {
    const owner = iface === undefined ? 'the interface' : `${iface.label}'s`;
    const reason = `${side} ${endpoint.address} is a host part pfSense joins to ${owner} IPv6 prefix, which the config.xml does not give`;
    return ok(unknown(allAddresses(6), reason));
  }
  const hostBits = 128n - BigInt(KEPT_PREFIX_BITS.get(addressing.address.prefix) ?? 64);
  const low = (1n << hostBits) - 1n;
  return ok(exact(Ranges.point((addressing.address.address & ~low) | (suffix.value & low))));
}

export function pfsenseAddresses(endpoint: PfsenseEndpoint, family: Family, context: AddressContext, side: string): Resolution<Fuzzy> {
  if (endpoint.any) return ok(exact(allAddresses(family)));
  if (endpoint.network !== '') return negate(pfsenseNetwork(endpoint.network, family, context, side), endpoint.not, family);
  if (endpoint.address !== '') {
    const joined = hostPart(endpoint, family, context, side);
    if (joined !== undefined) return negate(joined, endpoint.not, family);
    const fromAlias = context.aliases.addresses(endpoint.address);
    if (fromAlias !== undefined) return negate(fromAlias.ok ? ok(fromAlias.value[family]) : fromAlias, endpoint.not, family);
    // alias_expand passes an address or a network through, and nothing else that is not an alias.
    if (endpoint.address.includes('-') && parseNetwork(endpoint.address) !== undefined) {
      return dropped(`${side} ${endpoint.address} is a range, which pfSense takes only in an alias (alias_expand: unresolvable alias)`);
    }
    const written = literal(endpoint.address, family);
    if (written === undefined) return dropped(`${side} alias ${endpoint.address} is not defined`);
    return negate(ok(written), endpoint.not, family);
  }
  return dropped(`the ${side} is empty: expected <any/>, <address> or <network>`);
}

/**
 * One OPNsense address word. Interfaces stand for their networks (`(lan:network)`), `lanip` and
 * the like for their address; aliases (any type but port) for their table.
 */
export function opnsenseAddresses(
  word: string,
  negated: boolean,
  family: Family,
  context: AddressContext,
  side: string,
): Resolution<Fuzzy> {
  const { interfaces, aliases } = context;
  if (word === '' || word === 'any') return ok(exact(allAddresses(family)));
  let resolved: Resolution<Fuzzy> | undefined;
  if (word === '(self)') resolved = ok(interfaces.self(family));
  const iface = interfaces.get(word);
  if (resolved === undefined && iface?.enabled) resolved = ok(interfaces.network(iface, family));
  const group = interfaces.group(word);
  if (resolved === undefined && group !== undefined) resolved = ok(interfaces.groupNetwork(group, family));
  const addressOf = INTERFACE_ADDRESS.exec(word);
  const owner = addressOf ? interfaces.get(addressOf[1]) : undefined;
  if (resolved === undefined && owner?.enabled) resolved = ok(interfaces.address(owner, family));
  const fromAlias = resolved === undefined ? aliases.addresses(word) : undefined;
  if (fromAlias !== undefined) resolved = fromAlias.ok ? ok(fromAlias.value[family]) : fromAlias;
  if (resolved === undefined) {
    const network = parseNetwork(word);
    if (network === undefined || word.includes('-')) {
      return dropped(`${side} ${word} is neither an address, a network, an enabled interface nor an alias: OPNsense disables the rule`);
    }
    resolved = ok(literal(word, family)!);
  }
  return negate(resolved, negated, family);
}
