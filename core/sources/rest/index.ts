export { restApiSource } from './source';
export type * from './config';
