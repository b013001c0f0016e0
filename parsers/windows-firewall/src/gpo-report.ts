/**
 * Group Policy XML reports: `Get-GPOReport -ReportType Xml` and a GPMC backup's gpreport.xml
 * (root `<GPO>`, or `<report>` holding several), and RSoP reports (`gpresult /x`, root `<Rsop>`,
 * each setting with the GPO that set it and its precedence). The firewall settings are the
 * extension in the WindowsFirewall namespace, under whatever prefix the report gives it; rule
 * elements mirror the rule string's keys, one child element per field.
 */
import { type XmlElement, XmlSyntaxError, parseXml } from '../../xml-source/src';
import {
  type FirewallPolicy,
  type FirewallRule,
  type Location,
  type ParseWarning,
  type PolicySource,
  type RuleField,
  type SettingOrigin,
  WindowsFirewallSyntaxError,
} from './ast';
import { type SettingInput, asNamedSetting, buildProfileSettings, profileKey } from './profile-settings';
import { buildRule } from './rule-builder';

export const SETTINGS_NAMESPACE = 'http://www.microsoft.com/GroupPolicy/Settings';
export const RSOP_NAMESPACE = 'http://www.microsoft.com/GroupPolicy/Rsop';
export const FIREWALL_NAMESPACE = 'http://www.microsoft.com/GroupPolicy/Settings/WindowsFirewall';
const BASE_NAMESPACE = 'http://www.microsoft.com/GroupPolicy/Settings/Base';
const REGISTRY_NAMESPACE = 'http://www.microsoft.com/GroupPolicy/Settings/Registry';
const TYPES_NAMESPACE = 'http://www.microsoft.com/GroupPolicy/Types';
const XSI_NAMESPACE = 'http://www.w3.org/2001/XMLSchema-instance';

export interface GpoReport {
  /** `gpo`: one GPO; `gpo-list`: a `<report>` of several; `rsop`: a resultant set of policy. */
  kind: 'gpo' | 'gpo-list' | 'rsop';
  /** One policy per WindowsFirewall extension, in document order. */
  policies: FirewallPolicy[];
  warnings: ParseWarning[];
}

const RULE_CONTAINERS = new Map<string, 'In' | 'Out'>([
  ['InboundFirewallRules', 'In'],
  ['OutboundFirewallRules', 'Out'],
]);

function locate(element: XmlElement): Location {
  return { line: element.line, column: element.column, path: element.path };
}

function fail(element: XmlElement, expected: string): never {
  throw new WindowsFirewallSyntaxError(locate(element), expected);
}

/**
 * Parses a Group Policy or RSoP XML report (text already decoded).
 *
 * @throws WindowsFirewallSyntaxError for XML that is not well-formed or is refused as hostile
 *   (its line and column), a root that is not a report, a firewall extension in another
 *   namespace, and rule or setting values outside their grammar (the element's line and path).
 */
export function parseGpoReport(text: string): GpoReport {
  const root = readXml(text);
  const warnings: ParseWarning[] = [];
  const kind = reportKind(root);
  if (kind === 'rsop') {
    const computer = root.firstChildNS(RSOP_NAMESPACE, 'ComputerResults');
    const names = rsopGpoNames(computer);
    const policies = extensionsOf(computer).map((extension) =>
      readExtension(extension, 'rsop', rsopName(computer), undefined, names, warnings),
    );
    warnRegistryFirewallSettings(computer, warnings);
    warnUserExtensions(root.firstChildNS(RSOP_NAMESPACE, 'UserResults'), warnings);
    return { kind, policies, warnings };
  }
  const gpos = kind === 'gpo' ? [root] : root.childrenNS(SETTINGS_NAMESPACE, 'GPO');
  const policies = gpos.flatMap((gpo) => {
    const identity = gpoIdentity(gpo);
    const computer = gpo.firstChildNS(SETTINGS_NAMESPACE, 'Computer');
    warnUserExtensions(gpo.firstChildNS(SETTINGS_NAMESPACE, 'User'), warnings);
    warnRegistryFirewallSettings(computer, warnings);
    return extensionsOf(computer).map((extension) =>
      readExtension(
        extension,
        'gpo',
        identity.name ?? identity.identifier ?? 'GPO',
        { ...identity, ...computerEnabled(computer) },
        new Map(),
        warnings,
      ),
    );
  });
  return { kind, policies, warnings };
}

function readXml(text: string): XmlElement {
  try {
    return parseXml(text).root;
  } catch (error) {
    if (error instanceof XmlSyntaxError) {
      throw new WindowsFirewallSyntaxError({ line: error.line, column: error.column }, `${error.expected} (XML ${error.kind})`);
    }
    throw error;
  }
}

function reportKind(root: XmlElement): GpoReport['kind'] {
  const expected: [string, string, GpoReport['kind'], string][] = [
    ['GPO', SETTINGS_NAMESPACE, 'gpo', 'a Get-GPOReport XML report'],
    ['report', SETTINGS_NAMESPACE, 'gpo-list', 'a Get-GPOReport -All XML report'],
    ['Rsop', RSOP_NAMESPACE, 'rsop', 'a gpresult /x report'],
  ];
  for (const [localName, namespace, kind, what] of expected) {
    if (root.localName !== localName) continue;
    if (root.namespace === namespace) return kind;
    fail(root, `expected <${localName}> in the namespace ${namespace} (${what}), not ${root.namespace ?? 'no namespace'}`);
  }
  return fail(
    root,
    `expected a Group Policy report: root <GPO> (Get-GPOReport -ReportType Xml, a GPMC backup's gpreport.xml) or <Rsop> (gpresult /x), not <${root.name}>`,
  );
}

/** The Extension elements of a Computer (or ComputerResults) section. */
function extensionsOf(section: XmlElement | undefined): XmlElement[] {
  if (!section) return [];
  return section.children
    .filter((child) => child.localName === 'ExtensionData')
    .flatMap((data) => data.children.filter((child) => child.localName === 'Extension'))
    .filter((extension) => isFirewallExtension(extension));
}

/**
 * An extension whose xsi:type is WindowsFirewallSettings or that holds firewall rule elements
 * must be in the WindowsFirewall namespace; one in another namespace is refused, not skipped.
 */
function isFirewallExtension(extension: XmlElement): boolean {
  const type = xsiType(extension);
  const holdsRules = extension.children.some((child) => RULE_CONTAINERS.has(child.localName));
  if (type?.namespace === FIREWALL_NAMESPACE) return true;
  if (type?.localName === 'WindowsFirewallSettings' || holdsRules) {
    fail(
      extension,
      `expected the Windows Firewall extension in the namespace ${FIREWALL_NAMESPACE}, not ${type?.namespace ?? extension.children.find((c) => RULE_CONTAINERS.has(c.localName))?.namespace ?? 'no namespace'}`,
    );
  }
  return false;
}

function xsiType(element: XmlElement): { namespace: string | undefined; localName: string } | undefined {
  const attribute = [...element.attributes].find(([name]) => {
    const colon = name.indexOf(':');
    return colon > 0 && name.slice(colon + 1) === 'type' && element.lookupNamespace(name.slice(0, colon)) === XSI_NAMESPACE;
  });
  if (!attribute) return undefined;
  const value = attribute[1].trim();
  const colon = value.indexOf(':');
  return colon > 0
    ? { namespace: element.lookupNamespace(value.slice(0, colon)), localName: value.slice(colon + 1) }
    : { namespace: element.lookupNamespace(''), localName: value };
}

function warnUserExtensions(section: XmlElement | undefined, warnings: ParseWarning[]): void {
  for (const extension of extensionsOf(section)) {
    warnings.push({
      location: locate(extension),
      message: 'Windows Firewall settings under User are not applied: Windows reads firewall policy per computer',
    });
  }
}

/**
 * Administrative Templates (the Windows Firewall ADMX: "Protect all network connections", the
 * legacy port and program exceptions) and registry settings write the same policy keys as the
 * firewall extension, but this package reads only the extension: say so where they are.
 */
function warnRegistryFirewallSettings(section: XmlElement | undefined, warnings: ParseWarning[]): void {
  const registry = (section?.children ?? [])
    .filter((child) => child.localName === 'ExtensionData')
    .flatMap((data) =>
      data.children.filter((child) => child.localName === 'Extension' && child.children.some((c) => c.namespace === REGISTRY_NAMESPACE)),
    );
  for (const extension of registry) {
    for (const setting of extension.children) {
      const category = childText(setting, REGISTRY_NAMESPACE, 'Category');
      const keyPath = childText(setting, REGISTRY_NAMESPACE, 'KeyPath');
      if (setting.localName === 'Policy' && category !== undefined && /Windows (Defender )?Firewall/i.test(category)) {
        const state = childText(setting, REGISTRY_NAMESPACE, 'State') ?? 'set';
        warnings.push({
          location: locate(setting),
          message: `the Administrative Template "${childText(setting, REGISTRY_NAMESPACE, 'Name') ?? '?'}" (${state}, ${category}) sets Windows Firewall policy outside the Windows Firewall extension: it is not read`,
        });
      } else if (
        setting.localName === 'RegistrySetting' &&
        keyPath !== undefined &&
        /^Software\\Policies\\Microsoft\\WindowsFirewall(\\|$)/i.test(keyPath) &&
        setting.firstChildNS(REGISTRY_NAMESPACE, 'Value')
      ) {
        warnings.push({
          location: locate(setting),
          message: `a registry setting under ${keyPath} sets Windows Firewall policy outside the Windows Firewall extension: it is not read`,
        });
      }
    }
  }
}

function childText(element: XmlElement | undefined, namespace: string, localName: string): string | undefined {
  const text = element?.firstChildNS(namespace, localName)?.text.trim();
  return text === undefined || text === '' ? undefined : text;
}

function gpoIdentity(gpo: XmlElement): { identifier?: string; domain?: string; name?: string } {
  const identifier = gpo.firstChildNS(SETTINGS_NAMESPACE, 'Identifier');
  const fields = {
    identifier: childText(identifier, TYPES_NAMESPACE, 'Identifier'),
    domain: childText(identifier, TYPES_NAMESPACE, 'Domain'),
    name: childText(gpo, SETTINGS_NAMESPACE, 'Name'),
  };
  return Object.fromEntries(Object.entries(fields).filter(([, value]) => value !== undefined));
}

function computerEnabled(computer: XmlElement | undefined): { computerEnabled?: boolean } {
  const enabled = childText(computer, SETTINGS_NAMESPACE, 'Enabled');
  return enabled === undefined ? {} : { computerEnabled: enabled.toLowerCase() === 'true' };
}

function rsopName(computer: XmlElement | undefined): string {
  const name = childText(computer, RSOP_NAMESPACE, 'Name');
  return name !== undefined ? `RSoP of ${name}` : 'RSoP';
}

/** GPO identifier → name, from the RSoP report's list of GPOs. */
function rsopGpoNames(computer: XmlElement | undefined): Map<string, string> {
  const names = new Map<string, string>();
  for (const gpo of computer?.childrenNS(RSOP_NAMESPACE, 'GPO') ?? []) {
    const identifier = childText(gpo.firstChildNS(RSOP_NAMESPACE, 'Path'), TYPES_NAMESPACE, 'Identifier');
    const name = childText(gpo, RSOP_NAMESPACE, 'Name');
    if (identifier !== undefined && name !== undefined) names.set(identifier.toLowerCase(), name);
  }
  return names;
}

/** The GPO and Precedence children an RSoP report gives each setting and rule. */
function originOf(element: XmlElement, names: Map<string, string>): SettingOrigin | undefined {
  const gpo = element.firstChildNS(BASE_NAMESPACE, 'GPO');
  const precedenceText = childText(element, BASE_NAMESPACE, 'Precedence');
  if (!gpo && precedenceText === undefined) return undefined;
  const identifier = childText(gpo, TYPES_NAMESPACE, 'Identifier');
  const precedence = precedenceText !== undefined && /^\d+$/.test(precedenceText) ? Number(precedenceText) : undefined;
  if (precedenceText !== undefined && precedence === undefined) fail(element, `expected a number in <Precedence>, not "${precedenceText}"`);
  const name = identifier !== undefined ? names.get(identifier.toLowerCase()) : undefined;
  const origin: SettingOrigin = {
    ...(identifier !== undefined ? { gpoIdentifier: identifier } : {}),
    ...(childText(gpo, TYPES_NAMESPACE, 'Domain') !== undefined ? { gpoDomain: childText(gpo, TYPES_NAMESPACE, 'Domain') } : {}),
    ...(name !== undefined ? { gpoName: name } : {}),
    ...(precedence !== undefined ? { precedence } : {}),
  };
  return origin;
}

function readExtension(
  extension: XmlElement,
  source: PolicySource,
  name: string,
  gpo: FirewallPolicy['gpo'],
  names: Map<string, string>,
  warnings: ParseWarning[],
): FirewallPolicy {
  const policy: FirewallPolicy = {
    source,
    name,
    location: locate(extension),
    ...(gpo ? { gpo } : {}),
    global: [],
    profiles: [],
    rules: [],
    other: [],
  };
  for (const child of extension.children) {
    if (child.namespace !== FIREWALL_NAMESPACE) {
      policy.other.push({ name: child.name, location: locate(child) });
      continue;
    }
    const profile = profileKey(child.localName);
    const direction = RULE_CONTAINERS.get(child.localName);
    if (child.localName === 'GlobalSettings') {
      policy.global.push(
        ...child.children.filter((c) => c.namespace === FIREWALL_NAMESPACE).map((setting) => asNamedSetting(readSetting(setting, names))),
      );
    } else if (profile) {
      const settings = child.children.filter((c) => c.namespace === FIREWALL_NAMESPACE).map((setting) => readSetting(setting, names));
      policy.profiles.push(buildProfileSettings(source, profile, locate(child), settings, [], warnings));
    } else if (direction) {
      policy.rules.push(readRule(child, direction, names, warnings));
    } else {
      policy.other.push({ name: child.localName, location: locate(child) });
    }
  }
  return policy;
}

/** A setting element: its value is the `<Value>` child (or, without one, the element's own text). */
function readSetting(setting: XmlElement, names: Map<string, string>): SettingInput {
  const valueElement = setting.firstChildNS(FIREWALL_NAMESPACE, 'Value');
  const origin = originOf(setting, names);
  const settingChildren = setting.children.filter((c) => c.namespace !== BASE_NAMESPACE);
  if (!valueElement && settingChildren.length > 0) fail(setting, `expected a <Value> in the setting <${setting.name}>`);
  const text = (valueElement ?? setting).text.trim();
  const value: SettingInput['value'] = /^(true|false)$/i.test(text)
    ? text.toLowerCase() === 'true'
    : /^\d{1,10}$/.test(text)
      ? Number(text)
      : text;
  return { name: setting.localName, value, location: locate(setting), ...(origin ? { origin } : {}) };
}

function readRule(element: XmlElement, direction: 'In' | 'Out', names: Map<string, string>, warnings: ParseWarning[]): FirewallRule {
  let version: XmlElement | undefined;
  const fields: RuleField[] = [];
  for (const child of element.children) {
    if (child.namespace === BASE_NAMESPACE) continue;
    if (child.namespace !== FIREWALL_NAMESPACE) {
      warnings.push({
        location: locate(child),
        message: `<${child.name}> is not in the Windows Firewall namespace: not a rule field, not read`,
      });
      continue;
    }
    if (child.children.length > 0) fail(child, `expected the text of a rule field in <${child.name}>, not elements`);
    if (child.localName === 'Version') {
      if (version) fail(child, `<Version> may appear only once in a rule (it is already at line ${version.line})`);
      version = child;
      continue;
    }
    fields.push({ key: child.localName, value: child.text.trim(), location: locate(child) });
  }
  if (!version) fail(element, `expected a <Version> (the rule's MAJOR.MINOR) in <${element.name}>`);
  const versionText = version.text.trim();
  const rule = buildRule(
    {
      location: locate(element),
      text: `v${versionText}|${fields.map((field) => `${field.key}=${field.value}|`).join('')}`,
      version: { text: versionText, location: locate(version) },
      rendered: true,
    },
    fields,
    warnings,
  );
  if (rule.dir && rule.dir.value !== direction) {
    fail(
      element.children.find((c) => c.localName === 'Dir') ?? element,
      `expected Dir ${direction} in <${element.name}>, not ${rule.dir.value}`,
    );
  }
  // A rule element without <Dir> is as its container says.
  rule.dir ??= { key: element.localName, location: locate(element), value: direction };
  const origin = originOf(element, names);
  if (origin) rule.origin = origin;
  return rule;
}
