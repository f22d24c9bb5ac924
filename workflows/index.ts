export { improvementLifecycle } from './improvement/workflow';
