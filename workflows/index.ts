export { improvementLifecycle } from './improvement/workflow';
export { unitDeployment } from './improvement/unit-deployment';
export { delegationStart } from './delegation/workflow';
export { versionDeployment } from './process-library/version-deployment';
export { unitAdoption } from './process-library/unit-adoption';
