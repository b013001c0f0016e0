/**
 * The networks behind each interface, as the configuration declares them: the interface's own
 * network and its virtual IPs', the static routes through a gateway on it, and every other
 * address behind the interface that holds the default route. A network the firewall learns at
 * run time (DHCP) is not declared: the deployment can give it.
 */
import type { ConfigDocument } from '../../../parsers/pfsense-config/src';
import type { Diagnostic } from '../../model/errors';
import type { DeclaredInterface } from '../../model/policy';
import { FAMILIES, Ranges, parseNetwork, type Family } from '../../packetset';
import { allAddresses, networkOf, type FirewallInterface, type InterfaceTable } from './interfaces';

/** Whether the interface learns its address at run time (DHCP, SLAAC, …), rather than has an unreadable one. */
function learnsAddress(iface: FirewallInterface, family: Family): boolean {
  const addressing = iface.addressing[family];
  return addressing.kind === 'dynamic' && addressing.why === undefined;
}

/** The interface with the default route in a family: the one naming a gateway, else the one that learns its address (DHCP). */
function defaultRouteInterface(interfaces: InterfaceTable, family: Family): FirewallInterface | undefined {
  const enabled = interfaces.enabled();
  const named = enabled.filter((iface) => (family === 4 ? iface.gateway : iface.gatewayV6)?.value);
  const dynamic = enabled.filter((iface) => learnsAddress(iface, family));
  const candidates = named.length > 0 ? named : dynamic;
  return candidates.find((iface) => iface.key === 'wan') ?? candidates[0];
}

export function declaredInterfaces(
  config: ConfigDocument,
  interfaces: InterfaceTable,
  file: string,
  warnings: Diagnostic[],
): DeclaredInterface[] {
  const gatewayInterface = new Map(config.gateways.map((gateway) => [gateway.name?.value ?? '', gateway.interface?.value ?? '']));
  const defaults = Object.fromEntries(FAMILIES.map((family) => [family, defaultRouteInterface(interfaces, family)])) as Record<
    Family,
    FirewallInterface | undefined
  >;
  return interfaces.enabled().map((iface) => {
    const networks: Record<Family, Ranges> = { 4: Ranges.EMPTY, 6: Ranges.EMPTY };
    for (const family of FAMILIES) {
      const addressing = iface.addressing[family];
      if (addressing.kind === 'static') networks[family] = networks[family].union(networkOf(family, addressing.address));
      for (const vip of iface.virtualAddresses)
        if (vip.family === family) networks[family] = networks[family].union(networkOf(family, vip));
      if (defaults[family] === iface) networks[family] = allAddresses(family);
    }
    for (const route of config.staticRoutes) {
      const network = parseNetwork(route.network?.value ?? '');
      if (network === undefined || route.disabled !== undefined || gatewayInterface.get(route.gateway?.value ?? '') !== iface.key) continue;
      networks[network.family] = networks[network.family].union(network.ranges);
    }
    const unknown = FAMILIES.filter((family) => learnsAddress(iface, family) && defaults[family] !== iface);
    if (unknown.length > 0) {
      warnings.push({
        location: { file, line: iface.location.line, path: iface.location.path },
        message: `the IPv${unknown.join('/IPv')} networks behind ${iface.label} (${iface.key}) are learnt at run time: give them under the deployment's interfaces.${iface.key}`,
      });
    }
    return { name: iface.key, networks };
  });
}

/** The interface packets to an address leave by: the most specific network that holds it. */
export function routeOf(declared: readonly DeclaredInterface[], family: Family): (address: bigint) => string | undefined {
  return (address) => {
    let best: { name: string; size: bigint } | undefined;
    for (const iface of declared) {
      for (const [lo, hi] of iface.networks[family].intervals) {
        if (address < lo || address > hi) continue;
        const size = hi - lo;
        if (best === undefined || size < best.size) best = { name: iface.name, size };
      }
    }
    return best?.name;
  };
}
