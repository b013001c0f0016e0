import assert from 'node:assert/strict';
import * as path from 'node:path';
import type { Diagnostic } from '../../src/model/errors';
import type { PolicyProgram } from '../../src/model/policy';
import { traceProbe, type Probe, type TraceOutput } from '../../src/app/trace';
import type { Normalized } from '../../src/normalize/format';
import { OPNSENSE_FORMAT, PFSENSE_FORMAT } from '../../src/normalize/pfsense/format';
import { REPO_ROOT } from '../helpers/paths';

export const FIXTURES = path.join(REPO_ROOT, 'fixtures', 'pfsense');
export const REAL = path.join(REPO_ROOT, 'fixtures', 'real', 'pfsense');

export const FILE = 'config.xml';

/** The interfaces most tests use: a DHCP WAN, LAN 192.0.2.0/24 and 2001:db8:1::/64, DMZ (opt1) 198.51.100.0/24 and 2001:db8:2::/64. */
export const INTERFACES = `<interfaces>
<wan><enable/><if>em0</if><ipaddr>dhcp</ipaddr></wan>
<lan><enable/><if>em1</if><ipaddr>192.0.2.1</ipaddr><subnet>24</subnet><ipaddrv6>2001:db8:1::1</ipaddrv6><subnetv6>64</subnetv6></lan>
<opt1><enable/><if>em2</if><descr>DMZ</descr><ipaddr>198.51.100.1</ipaddr><subnet>24</subnet><ipaddrv6>2001:db8:2::1</ipaddrv6><subnetv6>64</subnetv6></opt1>
</interfaces>`;

export interface ConfigParts {
  system?: string;
  interfaces?: string;
  aliases?: string;
  rules?: string[];
  nat?: string;
  /** OPNsense: what goes inside <OPNsense>. */
  mvc?: string;
  extra?: string;
}

/** A config.xml of the vendor, one element a line so that tests can find what they wrote. */
export function configXml(vendor: 'pfsense' | 'opnsense', parts: ConfigParts): string {
  const lines = [
    '<?xml version="1.0"?>',
    `<${vendor}>`,
    `<system>${parts.system ?? '<ipv6allow/><webgui><protocol>https</protocol><noantilockout/></webgui>'}</system>`,
    parts.interfaces ?? INTERFACES,
    parts.aliases ? `<aliases>\n${parts.aliases}\n</aliases>` : '',
    parts.nat ? `<nat>\n${parts.nat}\n</nat>` : '',
    '<filter>',
    ...(parts.rules ?? []),
    '</filter>',
    parts.mvc ? `<OPNsense>\n${parts.mvc}\n</OPNsense>` : '',
    parts.extra ?? '',
    `</${vendor}>`,
  ];
  return lines.filter((line) => line !== '').join('\n') + '\n';
}

/** The line of the element that starts before `marker` (a rule's description, say) and is named `element`. */
export function lineOf(text: string, marker: string, element = 'rule'): number {
  const at = text.indexOf(marker);
  assert.ok(at >= 0, `no ${marker} in the configuration`);
  const start = text.lastIndexOf(`<${element}`, at);
  return text.slice(0, start).split('\n').length;
}

export function load(text: string, vendor: 'pfsense' | 'opnsense' = 'pfsense', interfaceNames: string[] = []): Normalized {
  const format = vendor === 'pfsense' ? PFSENSE_FORMAT : OPNSENSE_FORMAT;
  return format.load([{ file: FILE, text }], { interfaceNames, options: {} });
}

export function trace(programs: PolicyProgram[], probe: Probe): TraceOutput {
  return traceProbe(programs, probe, { file: 'test' });
}

/** The verdict, and the line and path of what decided it (null for a policy). */
export function decision(output: TraceOutput): [string, number | null, string | null] {
  return [output.verdict, output.decidedBy?.line ?? null, output.decidedBy?.path ?? null];
}

export function messages(warnings: Diagnostic[]): [number | undefined, string][] {
  return warnings.map((w) => [w.location.line, w.message]);
}

/** A pfSense filter rule, one element a line. */
export function rule(fields: string, descr: string): string {
  return `<rule>\n${fields}\n<descr>${descr}</descr>\n</rule>`;
}
