/** The pure domain core of Realname: no I/O, no framework, time injected. */
export * from './model.js';
export * from './errors/index.js';
export * from './policy/index.js';
export * from './preflight.js';
export * from './compare.js';
export * from './clock.js';
export * from './calendar.js';
export * from './money.js';
export * from './mask.js';
export * from './document-number.js';
export * from './ids.js';
