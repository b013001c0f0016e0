/** From configuration files to policy programs: the formats fwmatrix reads and how it loads them. */
export { CONFIG_TYPES, FORMATS, detectFormat, formatOf, formatOfFile, vendorOptions } from './registry';
export { loadConfig, type LoadedConfig, type LoadOptions } from './load';
export { readConfigText, MAX_CONFIG_BYTES } from './read';
export type { ConfigFormat, NormalizeContext, Normalized, SourceFile, VendorOption } from './format';
