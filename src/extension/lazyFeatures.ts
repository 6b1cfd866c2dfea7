// The one place that loads dist/features.js (see features.ts). esbuild.mjs keeps `./features` out of
// the extension bundle and turns this require into `require('./features.js')`; Node caches it.
import type * as Features from './features';

/** The lazily loaded half of the extension (loaded on the first call, then cached by Node). */
export function features(): typeof Features {
	// eslint-disable-next-line @typescript-eslint/no-require-imports
	return require('./features') as typeof Features;
}
