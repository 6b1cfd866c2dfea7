// Entry of dist/shared.js: the modules that dist/extension.js and dist/features.js must share as one
// instance (error classes tested with instanceof, the native module loaded once). See esbuild.mjs.
export * from '../core/errors';
export * from '../core/index/sqlite';
