/**
 * The input formats fwmatrix reads: the one list of `--type` ids, each with its detection,
 * parser, normalizer and deployment options. A vendor adds its entry here and nothing else.
 */
import { InputError } from '../model/errors';
import { readConfigHead } from './read';
import type { ConfigFormat, VendorOption } from './format';
import { IPTABLES_FORMAT } from './iptables/format';
import { OPNSENSE_FORMAT, PFSENSE_FORMAT } from './pfsense/format';
import { WINDOWS_GPO_FORMAT, WINDOWS_REG_FORMAT } from './windows/format';

export const FORMATS: readonly ConfigFormat[] = [IPTABLES_FORMAT, PFSENSE_FORMAT, OPNSENSE_FORMAT, WINDOWS_GPO_FORMAT, WINDOWS_REG_FORMAT];

export const CONFIG_TYPES: readonly string[] = FORMATS.map((format) => format.type);

export function formatOf(type: string): ConfigFormat | undefined {
  return FORMATS.find((format) => format.type === type);
}

/** Every deployment option some format reads, with the formats that read it (formats sharing an option describe it alike). */
export function vendorOptions(): Map<string, VendorOption & { types: string[] }> {
  const options = new Map<string, VendorOption & { types: string[] }>();
  for (const format of FORMATS) {
    for (const [name, option] of Object.entries(format.options))
      options.set(name, { ...option, types: [...(options.get(name)?.types ?? []), format.type] });
  }
  return options;
}

/** How much of a file detection looks at. */
const DETECTION_WINDOW = 64 * 1024;

export function detectFormat(text: string, file: string): ConfigFormat {
  const head = text.slice(0, DETECTION_WINDOW);
  const format = FORMATS.find((f) => f.detect(head));
  if (format) return format;
  throw new InputError([
    {
      location: { file, line: 1 },
      message: `cannot tell the configuration's format: expected ${FORMATS.map((f) => f.title).join(', or ')} (or give --type ${CONFIG_TYPES.join('|')})`,
    },
  ]);
}

/** The format of a configuration file: the one `type` names, or the one the start of its text shows. */
export function formatOfFile(file: string, type?: string): ConfigFormat {
  // Not the whole file: what detection looks at, in UTF-16's two bytes a character (a start in UTF-8 is mostly ASCII).
  return (type !== undefined ? formatOf(type) : undefined) ?? detectFormat(readConfigHead(file, 2 * DETECTION_WINDOW), file);
}
