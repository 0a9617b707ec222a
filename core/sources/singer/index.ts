// The Singer source: a Singer tap's streams as Sluice resources.

export { singerTap } from './source';
export type { SingerStreamConfig, SingerTapConfig } from './config';
