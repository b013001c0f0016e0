export type { Deployment, Firewall, HostFirewall, NetworkFirewall, Translation } from './types';
export { translationMembers } from './types';
export { loadDeployment, loadDeploymentMatrix } from './load';
export { checkDeploymentAgainstMatrix, checkDeploymentFiles, checkRolesAgainstMatrix } from './check';
export { loadWaivers } from './waivers';
export type { Waiver } from './waivers';
export { validateFile } from './validate';
export type { InputFileKind, ValidationResult } from './validate';
