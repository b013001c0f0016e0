export type { Erratum, Matrix, PortRange, Requirement, Role, SourceDocument } from './types';
export { builtinMatrices, builtinMatrixIds, loadMatrix } from './load';
export { formatPortRanges } from './ports';
