export * from './ranges';
export * from './dimensions';
export * from './box';
export * from './packet-set';
export * from './address';
export * from './address-set';
