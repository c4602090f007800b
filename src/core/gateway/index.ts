/** The gateway client and what goes with it: config, errors, models, messages, streaming. */
export * from './client';
export * from './config';
export * from './errors';
export * from './messages';
export * from './models';
export * from './stream';
