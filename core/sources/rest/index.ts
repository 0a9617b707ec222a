export { restApiSource } from './source';
export type * from './config';
export { describeTrial, tryEndpoint, type EndpointTrial } from './tryEndpoint';
