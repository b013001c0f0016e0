export { type XmlLimits } from './builder';
export { type XmlElement } from './element';
export { type XmlErrorKind, XmlSyntaxError } from './errors';
export { XML_NAMESPACE } from './namespaces';
export { DEFAULT_LIMITS, type XmlDocument, parseXml } from './parse';
