export { improvementLifecycle } from './improvement/workflow';
export { unitDeployment } from './improvement/unit-deployment';
export { delegationStart } from './delegation/workflow';
