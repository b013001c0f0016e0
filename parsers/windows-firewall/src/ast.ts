/**
 * The syntax tree of Windows Firewall policy as Windows stores it, in Microsoft's own words:
 * keys, tokens and setting names are those of MS-GPFAS (Group Policy: Firewall and Advanced
 * Security Data Structure) and MS-FASP. Every item keeps where it was written. Nothing here
 * decides what a rule lets through: values are validated and kept, not interpreted.
 */

/**
 * Where an item was written: the 1-based line (and, inside a line, the 1-based column) of a text
 * file; for XML the line of the element and an XPath-like path to it.
 */
export interface Location {
  line: number;
  column?: number;
  path?: string;
}

/** A located error: where the input stops being what Windows reads, and what was expected there. */
export class WindowsFirewallSyntaxError extends Error {
  constructor(
    readonly location: Location,
    readonly expected: string,
  ) {
    super(`${describeLocation(location)}: ${expected}`);
    this.name = 'WindowsFirewallSyntaxError';
  }

  get line(): number {
    return this.location.line;
  }

  get column(): number | undefined {
    return this.location.column;
  }
}

export function describeLocation(location: Location): string {
  const place = `line ${location.line}${location.column !== undefined ? `:${location.column}` : ''}`;
  return location.path !== undefined ? `${place} (${location.path})` : place;
}

/** Something the parser noticed and did not stop on (an unknown key, a value set twice). */
export interface ParseWarning {
  location: Location;
  message: string;
}

/* ------------------------------------------------------------------ rule values */

/** ACTION-VAL (MS-GPFAS 2.2.2.5). */
export type RuleAction = 'Allow' | 'Block' | 'ByPass';
/** DIR-VAL (2.2.2.4). */
export type RuleDirection = 'In' | 'Out';
/** PROFILE-VAL (2.2.2.1). */
export type ProfileToken = 'Domain' | 'Private' | 'Public';
/** IFTYPE-VAL (2.2.2.8). */
export type InterfaceType = 'Lan' | 'Wireless' | 'RemoteAccess';
/** IFSECURE-VAL, IFSECURE2-9-VAL, IFSECURE2-10-VAL (2.2.2.6). */
export type SecurityToken = 'Authenticate' | 'AuthenticateEncrypt';
export type Security2_9Token = 'An-NoEncap';
export type Security2Token = 'AnE-Nego';
/** DEFER-VAL (2.2.2.15). */
export type DeferToken = 'App' | 'User';

/** Port keywords (2.2.2.3), with the version of the grammar that introduced each. */
export type PortKeyword =
  | 'RPC'
  | 'RPC-EPMap'
  | 'Teredo'
  | 'IPTLSIn'
  | 'IPHTTPSIn'
  | 'IPTLSOut'
  | 'IPHTTPSOut'
  | 'DHCP'
  | 'Ply2Disc'
  | 'mDNS'
  | 'CortanaOut'
  | 'TcpCDPSvc';

/** ADDRESS-KEYWORD-VAL and ADDRESS-KEYWORD-VAL-2-20 (2.2.2.13). */
export type AddressKeyword =
  'LocalSubnet' | 'DNS' | 'DHCP' | 'WINS' | 'DefaultGateway' | 'IntrAnet' | 'IntErnet' | 'Ply2Renders' | 'RmtIntrAnet' | 'CaptivePortal';

/** TRUST-TUPLE-KEYWORD-VAL and its 2.22, 2.27, 2.28 extensions (2.2.2.20). */
export type TrustTupleKeyword =
  'Proximity' | 'ProxSharing' | 'WFDPrint' | 'WFDDisplay' | 'WFDDevices' | 'WFDKmDriver' | 'UPnP' | 'WFDCDPSvc';

/** One `Key=Value` of a rule (for XML: one child element), exactly as written. */
export interface RuleField {
  /** The key as written (`LPort2_10`; keys are case-insensitive, as ABNF strings are). */
  key: string;
  value: string;
  location: Location;
}

/** Something a value came from: the field's key as written and where it stands. */
interface FromField {
  key: string;
  location: Location;
}

/** A port or port range (PORT-VAL / PORT-RANGE-VAL: a single port has first === last), or a port keyword. */
export type PortValue = FromField & ({ kind: 'range'; first: number; last: number } | { kind: 'keyword'; keyword: PortKeyword });

/**
 * An address condition: a single address or a range (ADDRESSV4-RANGE-VAL / ADDRESSV6-RANGE-VAL;
 * a single address has first === last), a subnet (…-SUBNET-VAL: the mask form is kept in `mask`,
 * its length in `prefixLength`), or a keyword. Addresses are kept as written.
 */
export type AddressValue = FromField & { family: 4 | 6 } & (
    | { kind: 'range'; first: string; last: string }
    | { kind: 'subnet'; address: string; prefixLength: number; mask?: string }
    | { kind: 'keyword'; keyword: AddressKeyword }
  );

/** ICMP-TYPE-CODE-VAL (2.2.2.16): `code` null for `*` (any code). */
export interface IcmpTypeCode extends FromField {
  type: number;
  code: number | null;
}

/** PLATFORM-VAL (2.2.2.17). */
export interface PlatformValidity extends FromField {
  platform: number;
  major: number;
  minor: number;
}

export interface TrustTuple extends FromField {
  keyword: TrustTupleKeyword;
}

/** A string-valued field (Name, App, RMAuth, …), with where it was written. */
export interface TextValue extends FromField {
  value: string;
}

/** A single-valued token field (Action, Dir, Security, …). */
export interface TokenValue<T> extends FromField {
  value: T;
}

/**
 * A firewall rule (MS-GPFAS 2.2.2.19, MS-FASP FW_RULE). Properties are named after the rule
 * string's keys. Repeated keys are lists; a key that is absent is an empty list or undefined —
 * what an absent key means (Active absent: inactive; Profile absent: every profile; Protocol
 * absent: any protocol) is for the reader of the tree to apply.
 */
export interface FirewallRule {
  /** Where the rule starts: the first character of the rule string, or the rule's XML element. */
  location: Location;
  /** The registry value's name (FW_RULE's wszRuleId); absent in GPO reports and plain lists. */
  id?: string;
  /** The rule string as written; for XML, the element's fields rendered as a rule string. */
  text: string;
  /** VERSION, as written without the `v` (`2.31`). */
  version: string;
  /** Every field in the order written. */
  fields: RuleField[];
  action?: TokenValue<RuleAction>;
  active?: TokenValue<boolean>;
  dir?: TokenValue<RuleDirection>;
  /** 0–255; absent means any protocol (wIpProtocol 256). */
  protocol?: TokenValue<number>;
  profile: TokenValue<ProfileToken>[];
  /** LPort, LPort2_10, LPort2_20, LPort2_24, in the order written. */
  lport: PortValue[];
  /** RPort, RPort2_10. */
  rport: PortValue[];
  icmp4: IcmpTypeCode[];
  icmp6: IcmpTypeCode[];
  /** LA4, LA6. */
  la: AddressValue[];
  /** RA4, RA6, RA42, RA62. */
  ra: AddressValue[];
  /** IF: interface GUIDs. */
  if: TextValue[];
  ifType: TokenValue<InterfaceType>[];
  app?: TextValue;
  svc?: TextValue;
  appPkgId?: TextValue;
  name?: TextValue;
  desc?: TextValue;
  embedCtxt?: TextValue;
  edge?: TokenValue<boolean>;
  defer?: TokenValue<DeferToken>;
  lsm?: TokenValue<boolean>;
  lom?: TokenValue<boolean>;
  pcross?: TokenValue<boolean>;
  authByPassOut?: TokenValue<boolean>;
  security?: TokenValue<SecurityToken>;
  security2_9?: TokenValue<Security2_9Token>;
  security2?: TokenValue<Security2Token>;
  platform: PlatformValidity[];
  platform2?: TokenValue<'GTEQ'>;
  skipVer?: TextValue;
  /** TTK, TTK2_22, TTK2_27, TTK2_28. */
  ttk: TrustTuple[];
  rmAuth?: TextValue;
  ruAuth?: TextValue;
  luAuth?: TextValue;
  luAuth2_24?: TextValue;
  luOwn?: TextValue;
  nnm?: TextValue;
  securityRealmId?: TextValue;
  /** Fields whose key MS-GPFAS does not define, kept as written (and warned about). */
  unknown: RuleField[];
  /** RSoP reports: the GPO the rule came from. */
  origin?: SettingOrigin;
}

/* ------------------------------------------------------------------ policy */

/** The profile keys of MS-GPFAS 2.2.3; Standard applies to Private and Public when neither exists. */
export type ProfileKey = 'DomainProfile' | 'PrivateProfile' | 'PublicProfile' | 'StandardProfile';

/** Where a setting or rule came from in an RSoP report: its GPO and that GPO's precedence (1 wins). */
export interface SettingOrigin {
  gpoIdentifier?: string;
  gpoDomain?: string;
  /** The GPO's name, when the report's list of GPOs gives it. */
  gpoName?: string;
  precedence?: number;
}

/** A setting's value, where it was written, and (RSoP) which GPO set it. */
export interface Setting<T> {
  value: T;
  location: Location;
  origin?: SettingOrigin;
}

/** A setting as written, whether this package knows its meaning or not. */
export interface NamedSetting {
  name: string;
  /** A DWORD as a number, strings as written. */
  value: string | number;
  location: Location;
  origin?: SettingOrigin;
}

/** One profile's settings (MS-GPFAS 2.2.3), named after their registry values. */
export interface ProfileSettings {
  profile: ProfileKey;
  /** The profile key (its first `[…]` line) or element. */
  location: Location;
  enableFirewall?: Setting<boolean>;
  /** 0 allows, 1 blocks (2.2.3.17); a GPO report's `<Value>true</Value>` blocks. */
  defaultInboundAction?: Setting<'Allow' | 'Block'>;
  defaultOutboundAction?: Setting<'Allow' | 'Block'>;
  allowLocalPolicyMerge?: Setting<boolean>;
  allowLocalIPsecPolicyMerge?: Setting<boolean>;
  /** Shield-up mode (2.2.3.3). */
  doNotAllowExceptions?: Setting<boolean>;
  /** 2.2.3.15: interface GUIDs on which this profile's firewall is off. */
  disabledInterfaces?: Setting<string[]>;
  /** Every value of the profile key, including those above. */
  settings: NamedSetting[];
  /** Subkeys and sub-elements (Logging, the legacy Services exceptions, …) with their settings. */
  sections: { name: string; location: Location; settings: NamedSetting[] }[];
}

/** Which store a policy came from. */
export type PolicySource =
  /** HKLM\SOFTWARE\Policies\Microsoft\WindowsFirewall: what Group Policy delivered. */
  | 'policy-store'
  /** …\Services\SharedAccess\Parameters\FirewallPolicy: the local store. */
  | 'local-store'
  /** The WindowsFirewall extension of one GPO in a Group Policy report. */
  | 'gpo'
  /** The WindowsFirewall extension of an RSoP report (the winning setting per GPO precedence). */
  | 'rsop'
  /** A plain list of rule strings. */
  | 'rule-list';

/** One store's (or one GPO's) firewall policy. */
export interface FirewallPolicy {
  source: PolicySource;
  /** The store's root key path, the GPO's name, or the file. */
  name: string;
  location: Location;
  /**
   * For GPO reports: the GPO's identifier, domain and name, when the report gives them, and
   * whether its computer settings are enabled (`<Computer><Enabled>`; false: none of them apply).
   */
  gpo?: { identifier?: string; domain?: string; name?: string; computerEnabled?: boolean };
  /** Values of the store's root key (PolicyVersion, IPSecExempt, …) or GlobalSettings. */
  global: NamedSetting[];
  profiles: ProfileSettings[];
  rules: FirewallRule[];
  /** Other keys or elements of the store (ConSecRules, authentication sets, …), by name and location. */
  other: { name: string; location: Location }[];
}
