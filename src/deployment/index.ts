export type {
  Deployment,
  Firewall,
  HostFirewall,
  NetworkFirewall,
  SeverityLevel,
  SeverityOverride,
  SeverityPolicy,
  Translation,
} from './types';
export { translationMembers } from './types';
export { loadDeployment, loadDeploymentMatrix } from './load';
export { checkDeploymentAgainstMatrix, checkDeploymentFiles, checkRolesAgainstMatrix } from './check';
