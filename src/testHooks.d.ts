// Replaced at build time by esbuild (esbuild.mjs `define`): true only in the host tests' build
// (`node esbuild.mjs --test-hooks`), false in every shipped bundle, so code under
// `if (__TEST_HOOKS__)` is compiled out of what users install. Declared here for the type checker.
declare const __TEST_HOOKS__: boolean;
