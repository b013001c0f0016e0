export * from './ast';
export { parseIptablesSave } from './parser';
