// Sizes for people, in powers of 1024: the one spelling for CLI tables and progress, the tree,
// notifications and snapshot warnings.

/** `12 B`, `1.5 KB`, `17.0 KB`, `340 MB`: powers of 1024, one decimal below 100. */
export function formatBytes(bytes: number): string {
	if (bytes < 1024) return `${Math.round(bytes)} B`;
	const units = ['KB', 'MB', 'GB', 'TB'];
	let value = bytes / 1024;
	let unit = 0;
	while (value >= 1024 && unit < units.length - 1) {
		value /= 1024;
		unit++;
	}
	return `${value >= 100 ? value.toFixed(0) : value.toFixed(1)} ${units[unit]}`;
}
