/**
 * A pfSense or OPNsense config.xml → one policy program per address family: the interfaces,
 * aliases and rules resolved as the vendor's rule generator resolves them, the implicit rules
 * added, the port forwards applied, and pf's order compiled to first-match chains.
 */
import type { ConfigDocument } from '../../../parsers/pfsense-config/src';
import type { Diagnostic } from '../../model/errors';
import { InterfaceUniverse, type PolicyProgram } from '../../model/policy';
import { FAMILIES, type AddressSet } from '../../packetset';
import type { NormalizeContext, Normalized } from '../format';
import { AliasTable } from './aliases';
import { compileProgram } from './compile';
import { dialectOf, present, type Dialect } from './dialect';
import { forwardFilterRule, forwardsOf, type Forward } from './forwards';
import { opnsenseSystemRules, pfsenseSystemRules } from './implicit';
import { InterfaceTable } from './interfaces';
import { opnsenseLegacyRules, opnsenseMvcRules } from './opnsense-rules';
import type { PfRule } from './pf-rule';
import { pfsenseRules, type RuleContext } from './pfsense-rules';
import { declaredInterfaces, routeOf } from './routes';
import { plainTree } from './tree';

/** The loopback device: packets from other hosts never arrive on it. */
const LOOPBACK = 'lo0';

function ipv6Allowed(config: ConfigDocument, dialect: Dialect): boolean {
  // OPNsense 26.1 moved the switch to <OPNsense><Interfaces><settings><disableipv6>.
  if (dialect.vendor === 'opnsense' && config.interfaceSettings !== undefined) return !dialect.flag(config.interfaceSettings.disableipv6);
  return present(config.system.ipv6allow);
}

function userRules(config: ConfigDocument, context: RuleContext): PfRule[] {
  if (config.vendor === 'pfsense') return config.filterRules.flatMap((rule) => pfsenseRules(rule, context));
  return [
    ...config.mvcFilterRules.flatMap((rule) => opnsenseMvcRules(rule, context)),
    ...config.filterRules.flatMap((rule) => opnsenseLegacyRules(rule, context)),
  ];
}

function forwardOrder(config: ConfigDocument): ConfigDocument['portForwards'] {
  if (config.vendor === 'pfsense') return config.portForwards;
  const sequence = (text: string | undefined): number => Number.parseInt(text ?? '', 10) || 0;
  return [...config.portForwards].sort((a, b) => sequence(a.sequence?.value) - sequence(b.sequence?.value) || a.position - b.position);
}

/**
 * Written out only when asked for (fwmatrix parse): large configurations need not pay for it. A
 * function of its own, so that its getter holds nothing of the normalizer's (a closure keeps every
 * variable its enclosing function shares with any closure).
 */
function syntaxTrees(file: string, reread: () => ConfigDocument): Normalized['trees'] {
  return [
    {
      file,
      get tree() {
        return plainTree(reread());
      },
    },
  ];
}

/**
 * `reread` reads the file's syntax tree again for `fwmatrix parse`: keeping the first one for it
 * would double the memory an audit of a large configuration holds.
 */
export function normalizeConfig(config: ConfigDocument, file: string, context: NormalizeContext, reread: () => ConfigDocument): Normalized {
  const dialect = dialectOf(config.vendor);
  const warnings: Diagnostic[] = config.warnings.map((w) => ({ location: { file, line: w.line, path: w.path }, message: w.message }));
  const interfaces = new InterfaceTable(config, file, warnings);
  const aliases = new AliasTable(config, dialect, file, warnings);
  const ruleContext: RuleContext = {
    file,
    warnings,
    unloaded: [],
    interfaces,
    aliases,
    schedules: new Set(config.schedules.map((schedule) => schedule.name?.value ?? '')),
    groupOrder: new Map(interfaces.allGroups().map((group, index) => [group.name, index])),
  };
  const forwards: Forward[] = forwardOrder(config).flatMap((forward) => forwardsOf(forward, ruleContext, dialect));
  const implicitContext = { file, config, interfaces, ipv6: ipv6Allowed(config, dialect) };
  const rules: PfRule[] = [
    ...(dialect.vendor === 'pfsense' ? pfsenseSystemRules(implicitContext) : opnsenseSystemRules(implicitContext)),
    ...userRules(config, ruleContext),
    ...(dialect.vendor === 'opnsense' ? forwards.flatMap((forward, i) => forwardFilterRule(forward, i) ?? []) : []),
  ];
  const declared = declaredInterfaces(config, interfaces, file, warnings);
  const names = new Set([...interfaces.all().map((iface) => iface.key), ...context.interfaceNames]);
  const universe = new InterfaceUniverse(names, [LOOPBACK]);
  const unfiltered = present(config.system.disablefilter)
    ? {
        reason: `${dialect.product}'s packet filter is off (<disablefilter> in <system>)`,
        source: { file, line: config.system.disablefilter!.line, path: config.system.disablefilter!.path, text: '<disablefilter>' },
      }
    : undefined;
  const programs: PolicyProgram[] = FAMILIES.map((family) =>
    compileProgram({
      family,
      file,
      product: dialect.product,
      rules,
      forwards: forwards.filter((forward) => forward.family === family),
      universe,
      members: (key) => {
        const group = interfaces.group(key);
        return group === undefined ? undefined : interfaces.members(group).map((member) => member.key);
      },
      egress: routeOf(declared, family),
      // Reports add up the programs' counts: the written rules are counted once, with IPv4.
      ruleCount: family === 4 ? config.filterRules.length + config.mvcFilterRules.length : 0,
      unloaded: ruleContext.unloaded,
      ...(unfiltered ? { unfiltered } : {}),
    }),
  );
  // The addresses the firewall surely has; one it learns at run time is not among them.
  const own: AddressSet = { 4: interfaces.self(4).surely, 6: interfaces.self(6).surely };
  return {
    programs,
    trees: syntaxTrees(file, reread),
    warnings,
    interfaces: declared,
    ownAddresses: own,
  };
}
