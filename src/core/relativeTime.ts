// Human ages for versions: shared by the CLI tables, the sidebar and hovers.

/** "just now", "5 min ago", "3 h ago", "2 days ago", then the date. */
export function formatAge(iso: string, now: Date = new Date()): string {
	const seconds = Math.max(0, (now.getTime() - new Date(iso).getTime()) / 1000);
	if (seconds < 60) return 'just now';
	if (seconds < 3600) return `${Math.floor(seconds / 60)} min ago`;
	if (seconds < 86400) return `${Math.floor(seconds / 3600)} h ago`;
	if (seconds < 86400 * 30) return `${Math.floor(seconds / 86400)} days ago`;
	return iso.slice(0, 10);
}
