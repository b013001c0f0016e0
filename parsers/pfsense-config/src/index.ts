export { ConfigSyntaxError } from './errors';
export type * from './model';
export { parseConfigXml, vendorOfRoot } from './parse';
