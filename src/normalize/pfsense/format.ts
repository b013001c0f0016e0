/** pfSense and OPNsense config.xml backups (Diagnostics ▸ Backup & Restore). */
import { ConfigSyntaxError, parseConfigXml, vendorOfRoot, type Vendor } from '../../../parsers/pfsense-config/src';
import { InputError } from '../../model/errors';
import type { ConfigFormat, NormalizeContext, Normalized, SourceFile } from '../format';
import { normalizeConfig } from './normalize';

/** The first element's name, past the XML declaration, comments and a DOCTYPE. */
function rootName(head: string): string | undefined {
  return /<([A-Za-z_][\w.:-]*)/.exec(head.replace(/<!--[\s\S]*?-->/g, ''))?.[1];
}

/**
 * Twice the largest rule sets audited (generated estates of 100,000 rules), and a bound on memory:
 * a rule costs some 8 KB once normalized, so a file of tiny rules past this is refused at once,
 * before it is read, rather than filling memory.
 */
export const MAX_RULES = 200_000;

/** Where the first `<rule` past the limit starts, if the text holds that many. */
function ruleBeyondLimit(text: string): number | undefined {
  let at = -1;
  for (let count = 0; count <= MAX_RULES; count++) {
    at = text.indexOf('<rule', at + 1);
    if (at === -1) return undefined;
  }
  return at;
}

function lineAt(text: string, offset: number): number {
  let line = 1;
  for (let at = text.indexOf('\n'); at !== -1 && at < offset; at = text.indexOf('\n', at + 1)) line++;
  return line;
}

function load(vendor: Vendor, sources: SourceFile[], context: NormalizeContext): Normalized {
  if (sources.length !== 1) {
    throw new InputError([
      { location: { file: sources[1].file }, message: `a second configuration file: a ${vendor} firewall has one config.xml` },
    ]);
  }
  const [{ file, text }] = sources;
  const beyond = ruleBeyondLimit(text);
  if (beyond !== undefined) {
    throw new InputError([
      {
        location: { file, line: lineAt(text, beyond) },
        message: `more than ${MAX_RULES} rules (this is rule ${MAX_RULES + 1}): fwmatrix reads configurations of up to ${MAX_RULES} rules`,
      },
    ]);
  }
  let config;
  try {
    config = parseConfigXml(text);
  } catch (error) {
    if (error instanceof ConfigSyntaxError) {
      const { line, column, path, expected } = error;
      throw new InputError([
        {
          location: { file, line, ...(column !== undefined ? { column } : {}), ...(path !== undefined ? { path } : {}) },
          message: expected,
        },
      ]);
    }
    throw error;
  }
  if (config.vendor !== vendor) {
    const other = config.vendor === 'pfsense' ? 'pfSense' : 'OPNsense';
    throw new InputError([
      {
        location: { file, line: config.root.line, path: config.root.path },
        message: `this is a ${other} config.xml (root <${config.root.name}>): give --type ${config.vendor}`,
      },
    ]);
  }
  return normalizeConfig(config, file, context, () => parseConfigXml(text));
}

function format(vendor: Vendor, title: string): ConfigFormat {
  return {
    type: vendor,
    title,
    placement: 'network',
    options: {},
    detect: (head) => {
      const root = rootName(head);
      return root !== undefined && vendorOfRoot(root) === vendor;
    },
    load: (sources, context) => load(vendor, sources, context),
  };
}

export const PFSENSE_FORMAT = format('pfsense', 'pfSense config.xml');
export const OPNSENSE_FORMAT = format('opnsense', 'OPNsense config.xml');
