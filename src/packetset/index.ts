export * from './ranges';
export * from './dimensions';
export * from './box';
export * from './packet-set';
export * from './address';
export * from './address-set';
export * from './box-index';
export { disjointUnion, subtractAll } from './sweep';
export * from './remainder';
