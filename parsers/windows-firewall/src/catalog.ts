/**
 * The vocabulary of MS-GPFAS 2.2.2: rule keys, what each holds, and the tokens its values may be.
 * Keys and tokens are matched without regard to case (ABNF literal strings are case-insensitive,
 * RFC 4234 §2.3) and kept in Microsoft's spelling.
 */
import type {
  AddressKeyword,
  DeferToken,
  InterfaceType,
  PortKeyword,
  ProfileToken,
  RuleAction,
  RuleDirection,
  Security2_9Token,
  Security2Token,
  SecurityToken,
  TrustTupleKeyword,
} from './ast';

/** A case-insensitive lookup of tokens in their canonical spelling. */
export class TokenSet<T extends string> {
  private readonly byLowerCase = new Map<string, T>();

  constructor(readonly tokens: readonly T[]) {
    for (const token of tokens) this.byLowerCase.set(token.toLowerCase(), token);
  }

  find(text: string): T | undefined {
    return this.byLowerCase.get(text.toLowerCase());
  }

  /** `A, B or C`, for messages. */
  describe(): string {
    return this.tokens.length === 1 ? this.tokens[0] : `${this.tokens.slice(0, -1).join(', ')} or ${this.tokens[this.tokens.length - 1]}`;
  }
}

export const ACTIONS = new TokenSet<RuleAction>(['Allow', 'Block', 'ByPass']);
export const DIRECTIONS = new TokenSet<RuleDirection>(['In', 'Out']);
export const PROFILES = new TokenSet<ProfileToken>(['Domain', 'Private', 'Public']);
export const INTERFACE_TYPES = new TokenSet<InterfaceType>(['Lan', 'Wireless', 'RemoteAccess']);
export const SECURITY = new TokenSet<SecurityToken>(['Authenticate', 'AuthenticateEncrypt']);
export const SECURITY2_9 = new TokenSet<Security2_9Token>(['An-NoEncap']);
export const SECURITY2 = new TokenSet<Security2Token>(['AnE-Nego']);
export const DEFER = new TokenSet<DeferToken>(['App', 'User']);
export const BOOLEANS = new TokenSet(['TRUE', 'FALSE']);
export const PLATFORM_OPERATORS = new TokenSet<'GTEQ'>(['GTEQ']);

/** LPORT-KEYWORD-VAL. */
export const LPORT_KEYWORDS = new TokenSet<PortKeyword>(['RPC', 'RPC-EPMap', 'Teredo']);
/** LPORT-KEYWORD-VAL-2-10. */
export const LPORT_KEYWORDS_2_10 = new TokenSet<PortKeyword>(['IPTLSIn', 'IPHTTPSIn']);
/** RPORT-KEYWORD-VAL-2-10, and CortanaOut (RPORT-KEYWORD-VAL-2-28), which the grammar gives no key of its own. */
export const RPORT_KEYWORDS_2_10 = new TokenSet<PortKeyword>(['IPTLSOut', 'IPHTTPSOut', 'CortanaOut']);
/** LPORT-KEYWORD-VAL-2-20. */
export const LPORT_KEYWORDS_2_20 = new TokenSet<PortKeyword>(['Ply2Disc', 'DHCP']);
/**
 * LPort2_24: the key Windows writes for the local port keywords added after 2.20 (mDNS,
 * TcpCDPSvc); MS-GPFAS lists the keywords but not the key, so it takes any of them.
 */
export const LPORT_KEYWORDS_2_24 = new TokenSet<PortKeyword>(['Ply2Disc', 'DHCP', 'mDNS', 'TcpCDPSvc']);

/** ADDRESS-KEYWORD-VAL. */
export const ADDRESS_KEYWORDS = new TokenSet<AddressKeyword>(['LocalSubnet', 'DNS', 'DHCP', 'WINS', 'DefaultGateway']);
/** ADDRESS-KEYWORD-VAL-2-20. */
export const ADDRESS_KEYWORDS_2_20 = new TokenSet<AddressKeyword>(['IntrAnet', 'IntErnet', 'Ply2Renders', 'RmtIntrAnet', 'CaptivePortal']);

export const TRUST_TUPLE_KEYWORDS = new TokenSet<TrustTupleKeyword>(['Proximity', 'ProxSharing']);
export const TRUST_TUPLE_KEYWORDS_2_22 = new TokenSet<TrustTupleKeyword>(['WFDPrint', 'WFDDisplay', 'WFDDevices']);
export const TRUST_TUPLE_KEYWORDS_2_27 = new TokenSet<TrustTupleKeyword>(['WFDKmDriver', 'UPnP']);
export const TRUST_TUPLE_KEYWORDS_2_28 = new TokenSet<TrustTupleKeyword>(['WFDCDPSvc']);

/** What a key's value is, in the grammar's terms. */
export type ValueGrammar =
  | { kind: 'token'; tokens: TokenSet<string> }
  | { kind: 'boolean' }
  | { kind: 'protocol' }
  | { kind: 'port'; side: 'local' | 'remote'; forms: 'single' | 'range' | 'none'; keywords?: TokenSet<PortKeyword> }
  | { kind: 'address'; side: 'local' | 'remote'; family: 4 | 6; keywords?: TokenSet<AddressKeyword>; literals: boolean }
  | { kind: 'icmp'; family: 4 | 6 }
  | { kind: 'platform' }
  | { kind: 'version' }
  | { kind: 'guid' }
  | { kind: 'trust-tuple'; tokens: TokenSet<TrustTupleKeyword> }
  /** A string; `descriptive` ones (Name, Desc, EmbedCtxt) change nothing a rule matches. */
  | { kind: 'text'; descriptive?: boolean; allowStar?: boolean };

export interface KeySpec {
  /** Microsoft's spelling. */
  key: string;
  /** The grammar says the key "MUST appear at most once in a rule string". */
  once: boolean;
  value: ValueGrammar;
  /** The grammar's "MUST appear only if the VERSION is … greater than or equal to". */
  minVersion?: number;
}

const token = (tokens: TokenSet<string>): ValueGrammar => ({ kind: 'token', tokens });
const text = (descriptive = false): ValueGrammar => ({ kind: 'text', descriptive });

/** Every TYPE-VALUE of MS-GPFAS 2.2.2.19, and LPort2_24 (see LPORT_KEYWORDS_2_24). */
const SPECS: KeySpec[] = [
  { key: 'Action', once: true, value: token(ACTIONS) },
  { key: 'Dir', once: true, value: token(DIRECTIONS) },
  { key: 'Profile', once: false, value: token(PROFILES) },
  { key: 'Protocol', once: true, value: { kind: 'protocol' } },
  { key: 'LPort', once: false, value: { kind: 'port', side: 'local', forms: 'single', keywords: LPORT_KEYWORDS } },
  { key: 'RPort', once: false, value: { kind: 'port', side: 'remote', forms: 'single' } },
  { key: 'LPort2_10', once: false, value: { kind: 'port', side: 'local', forms: 'range', keywords: LPORT_KEYWORDS_2_10 } },
  { key: 'RPort2_10', once: false, value: { kind: 'port', side: 'remote', forms: 'range', keywords: RPORT_KEYWORDS_2_10 } },
  { key: 'LPort2_20', once: false, value: { kind: 'port', side: 'local', forms: 'none', keywords: LPORT_KEYWORDS_2_20 } },
  { key: 'LPort2_24', once: false, value: { kind: 'port', side: 'local', forms: 'none', keywords: LPORT_KEYWORDS_2_24 } },
  { key: 'Security', once: true, value: token(SECURITY) },
  { key: 'Security2_9', once: true, value: token(SECURITY2_9), minVersion: 0x0209 },
  { key: 'Security2', once: true, value: token(SECURITY2), minVersion: 0x020a },
  { key: 'IF', once: false, value: { kind: 'guid' } },
  { key: 'IFType', once: false, value: token(INTERFACE_TYPES) },
  { key: 'App', once: true, value: text() },
  { key: 'Svc', once: true, value: { kind: 'text', allowStar: true } },
  { key: 'LA4', once: false, value: { kind: 'address', side: 'local', family: 4, literals: true } },
  { key: 'RA4', once: false, value: { kind: 'address', side: 'remote', family: 4, keywords: ADDRESS_KEYWORDS, literals: true } },
  { key: 'LA6', once: false, value: { kind: 'address', side: 'local', family: 6, literals: true } },
  { key: 'RA6', once: false, value: { kind: 'address', side: 'remote', family: 6, keywords: ADDRESS_KEYWORDS, literals: true } },
  { key: 'Name', once: true, value: text(true) },
  { key: 'Desc', once: true, value: text(true) },
  { key: 'EmbedCtxt', once: true, value: text(true) },
  { key: 'Edge', once: true, value: { kind: 'boolean' } },
  { key: 'Defer', once: true, value: token(DEFER), minVersion: 0x020a },
  { key: 'LSM', once: true, value: { kind: 'boolean' } },
  { key: 'Active', once: true, value: { kind: 'boolean' } },
  { key: 'ICMP4', once: false, value: { kind: 'icmp', family: 4 } },
  { key: 'ICMP6', once: false, value: { kind: 'icmp', family: 6 } },
  { key: 'Platform', once: false, value: { kind: 'platform' } },
  { key: 'RMAuth', once: true, value: text() },
  { key: 'RUAuth', once: true, value: text() },
  { key: 'AuthByPassOut', once: true, value: { kind: 'boolean' } },
  { key: 'SkipVer', once: true, value: { kind: 'version' } },
  { key: 'LOM', once: true, value: { kind: 'boolean' } },
  { key: 'Platform2', once: true, value: token(PLATFORM_OPERATORS) },
  { key: 'PCross', once: true, value: { kind: 'boolean' } },
  { key: 'LUAuth', once: true, value: text() },
  { key: 'RA42', once: false, value: { kind: 'address', side: 'remote', family: 4, keywords: ADDRESS_KEYWORDS_2_20, literals: false } },
  { key: 'RA62', once: false, value: { kind: 'address', side: 'remote', family: 6, keywords: ADDRESS_KEYWORDS_2_20, literals: false } },
  { key: 'LUOwn', once: true, value: text() },
  { key: 'AppPkgId', once: true, value: text() },
  { key: 'TTK', once: false, value: { kind: 'trust-tuple', tokens: TRUST_TUPLE_KEYWORDS } },
  { key: 'TTK2_22', once: false, value: { kind: 'trust-tuple', tokens: TRUST_TUPLE_KEYWORDS_2_22 } },
  { key: 'TTK2_27', once: false, value: { kind: 'trust-tuple', tokens: TRUST_TUPLE_KEYWORDS_2_27 } },
  { key: 'TTK2_28', once: false, value: { kind: 'trust-tuple', tokens: TRUST_TUPLE_KEYWORDS_2_28 } },
  { key: 'LUAuth2_24', once: true, value: text() },
  { key: 'NNm', once: true, value: text() },
  { key: 'SecurityRealmId', once: true, value: text() },
];

const SPECS_BY_KEY = new Map(SPECS.map((spec) => [spec.key.toLowerCase(), spec]));

/** The spec of a key (any case), or undefined for a key MS-GPFAS does not define. */
export function keySpec(key: string): KeySpec | undefined {
  return SPECS_BY_KEY.get(key.toLowerCase());
}

/** Every key, in the grammar's order. */
export const RULE_KEYS: readonly string[] = SPECS.map((spec) => spec.key);
