import { type XmlElement, type XmlLimits, XmlSyntaxError, parseXml } from '../../xml-source/src';
import { readLegacyAliases, readMvcAliases } from './aliases';
import { ConfigSyntaxError } from './errors';
import { FieldReader, type ReadContext } from './fields';
import { readInterfaceGroups, readInterfaces, readVirtualIps } from './interfaces';
import type { ConfigDocument, ConfigWarning, Vendor } from './model';
import { readNat } from './nat';
import { readGateways, readSchedules, readStaticRoutes } from './routing';
import { readFilterRules, readMvcFilterRules } from './rules';
import { readFilterSettings, readInterfaceSettings, readSystem } from './system';

const ROOTS: ReadonlyMap<string, Vendor> = new Map([
  ['pfsense', 'pfsense'],
  ['opnsense', 'opnsense'],
]);

/** The vendor whose config.xml this root element starts, if it is one. */
export function vendorOfRoot(rootName: string): Vendor | undefined {
  return ROOTS.get(rootName.toLowerCase());
}

function readDocument(text: string, limits: Partial<XmlLimits>): XmlElement {
  try {
    return parseXml(text, limits).root;
  } catch (error) {
    if (error instanceof XmlSyntaxError) throw new ConfigSyntaxError(error.line, error.expected, undefined, error.column);
    throw error;
  }
}

/** A chain of single child elements (`OPNsense`, `Firewall`, `Filter`, …), or undefined where one is missing. */
function descend(fields: FieldReader, names: readonly string[]): XmlElement | undefined {
  let element: XmlElement | undefined;
  for (const name of names) {
    element = (element === undefined ? fields : new FieldReader(element, fields.context)).child(name);
    if (element === undefined) return undefined;
  }
  return element;
}

/**
 * Reads a pfSense or OPNsense config.xml (the text, already decoded). Throws a
 * ConfigSyntaxError for malformed or hostile XML, a root that is neither `<pfsense>` nor
 * `<opnsense>`, or an element repeated where the firewall reads one.
 */
export function parseConfigXml(text: string, limits: Partial<XmlLimits> = {}): ConfigDocument {
  const root = readDocument(text, limits);
  const vendor = vendorOfRoot(root.name);
  if (vendor === undefined) {
    throw new ConfigSyntaxError(
      root.line,
      `root element <${root.name}>; expected <pfsense> or <opnsense> (a pfSense or OPNsense config.xml)`,
      root.path,
    );
  }
  const warnings: ConfigWarning[] = [];
  const context: ReadContext = { vendor, warnings };
  const fields = new FieldReader(root, context);
  const section = (name: string): XmlElement | undefined => fields.child(name);
  const opnsense = vendor === 'opnsense' ? section('OPNsense') : undefined;
  const mvc = opnsense === undefined ? undefined : new FieldReader(opnsense, context);
  const mvcAliases = mvc && descend(mvc, ['Firewall', 'Alias', 'aliases']);
  const mvcRules = mvc && descend(mvc, ['Firewall', 'Filter', 'rules']);
  const interfaceSettings = mvc && descend(mvc, ['Interfaces', 'settings']);
  const [interfaces, ifgroups, virtualip, aliases, filter, nat] = ['interfaces', 'ifgroups', 'virtualip', 'aliases', 'filter', 'nat'].map(
    section,
  );
  const [gateways, staticroutes, schedules] = ['gateways', 'staticroutes', 'schedules'].map(section);
  const natSections = nat === undefined ? undefined : readNat(nat, context);
  return {
    vendor,
    root: { name: root.name, line: root.line, path: root.path },
    version: fields.text('version'),
    system: readSystem(section('system'), root, context),
    interfaceSettings: interfaceSettings && readInterfaceSettings(interfaceSettings, context),
    filterSettings: filter && readFilterSettings(filter, context),
    interfaces: interfaces ? readInterfaces(interfaces, context) : [],
    interfaceGroups: ifgroups ? readInterfaceGroups(ifgroups, context) : [],
    virtualIps: virtualip ? readVirtualIps(virtualip, context) : [],
    aliases: [...(aliases ? readLegacyAliases(aliases, context) : []), ...(mvcAliases ? readMvcAliases(mvcAliases, context) : [])],
    filterRules: filter ? readFilterRules(filter, context) : [],
    mvcFilterRules: mvcRules ? readMvcFilterRules(mvcRules, context) : [],
    portForwards: natSections?.portForwards ?? [],
    outboundNat: natSections?.outboundNat,
    oneToOneNat: natSections?.oneToOneNat ?? [],
    gateways: gateways ? readGateways(gateways, context) : [],
    staticRoutes: staticroutes ? readStaticRoutes(staticroutes, context) : [],
    schedules: schedules ? readSchedules(schedules, context) : [],
    warnings,
  };
}
