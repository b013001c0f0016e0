/**
 * Reading the user's own input files (deployment, matrix, waivers): YAML or JSON with every node
 * located, checked against the published schemas; and the syntax of the addresses they give.
 */
export { parseInputFile, displayPath, escapePointerSegment, sortByPosition, type ParsedInput } from './document';
export { schemaDiagnostics, type SchemaName } from './schema';
export { addressError } from './address-syntax';
export { packageRoot } from './package-root';
