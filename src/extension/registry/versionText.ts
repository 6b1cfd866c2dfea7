// What the sidebar, quick picks, tooltips and editor titles say about versions. Plain functions over
// registry data with no `vscode` import, so the unit tests check the exact wording.
import type { ArtifactRecord, Role, VersionManifest, VersionSummary, WorkingChanges } from '../../core/model';
import { escapeControls, oneLine } from '../../core/displayText';
import { formatAge } from '../../core/relativeTime';
import { versionName } from '../../core/store/versionName';

export const ROLE_TITLES: Record<Role, string> = {
	prompt: 'Prompts',
	rag: 'RAG config',
	weights: 'Weights',
	params: 'Params files',
	metrics: 'Metrics files',
	data: 'Data references',
	other: 'Other files',
};

/** `a1b2c3d` or `a1b2c3d*` when the version was made from a dirty tree; empty without git. */
export function shortCommit(git: { commit: string | null; dirty: boolean }): string {
	if (!git.commit) return git.dirty ? '*' : '';
	return `${git.commit.slice(0, 7)}${git.dirty ? '*' : ''}`;
}

/** `v3 · 1.4.0`; versions sharing a number (made on two branches) also show their digest. */
export function versionLabel(v: Pick<VersionSummary, 'number' | 'label' | 'digest' | 'numberShared'> & { releaseLabel?: string }): string {
	// The name as every command prints it (`v3`, or `v3 (b1c2d3e)` when two branches both made a v3).
	const name = versionName(v);
	// Hybrid versioning: the release label beside the timestamp label (`v7 · 1.3.0 · 2026-11-28T14.30`).
	return v.label && v.label !== `v${v.number}` ? `${name} · ${v.releaseLabel ? `${oneLine(v.releaseLabel)} · ` : ''}${oneLine(v.label)}` : name;
}

/** The short name of a version in titles: `v3`, or `v3 (a1b2c3d)` when the number is shared (the CLI's form). */
export function versionShortName(v: Pick<VersionSummary, 'number' | 'digest' | 'numberShared'>): string {
	return versionName(v);
}

/** A version only on other git refs, in a version picker: `only on feature, origin/feature · message · 2 h ago`. */
export function otherRefVersionDescription(v: VersionSummary, refs: string[], now: Date = new Date()): string {
	const parts = [`only on ${oneLine(refs.join(', '))}`];
	if (v.message) parts.push(truncate(oneLine(firstLine(v.message)), 48));
	parts.push(formatAge(v.createdAt, now));
	return parts.join(' · ');
}

/** `@production @staging · shorter system prompt · 2 h ago · a1b2c3d*` */
export function versionDescription(v: VersionSummary, now: Date = new Date()): string {
	// The message comes before age and commit: in a narrow sidebar it is what tells versions apart.
	const parts: string[] = [];
	if (v.aliases.length) parts.push(oneLine(v.aliases.map((a) => `@${a}`).join(' ')));
	if (v.message) parts.push(truncate(oneLine(firstLine(v.message)), 48));
	parts.push(formatAge(v.createdAt, now));
	const commit = shortCommit(v.git);
	if (commit) parts.push(commit);
	return parts.join(' · ');
}

// A run link (`--link`, http(s) only) stays clickable as an autolink `<url>`, whose text is the address
// itself; a value with anything Markdown could read otherwise (a planted manifest) is escaped text.
const WEB_LINK = /^https?:\/\/[A-Za-z0-9\-._~:/?#@!$&'+,;=%]+$/;

/** Markdown for a version's tooltip (registry data only: no manifest read). */
export function versionTooltip(v: VersionSummary, tags: string[] = [], now: Date = new Date(), run: Array<[string, string]> = []): string {
	const lines = [`**${escapeMarkdown(v.model)} ${escapeMarkdown(versionLabel(v))}**`, ''];
	if (v.message) lines.push(escapeMarkdown(v.message), '');
	const row = (name: string, value: string) => lines.push(`${name}: ${value}  `);
	if (v.aliases.length) row('Aliases', v.aliases.map(markdownCode).join(', '));
	if (tags.length) row('Tags', tags.map(markdownCode).join(', '));
	row('Created', `${escapeMarkdown(new Date(v.createdAt).toISOString().replace('T', ' ').slice(0, 16))} UTC (${formatAge(v.createdAt, now)}) by ${escapeMarkdown(v.author.name)}`);
	if (v.git.commit) {
		row('Commit', `${markdownCode(v.git.commit.slice(0, 10))}${v.git.branch ? ` on ${markdownCode(v.git.branch)}` : ''}${v.git.dirty ? ' with uncommitted changes (patch stored)' : ''}`);
	} else if (v.git.dirty) {
		row('Commit', 'none (uncommitted changes)');
	}
	row('Files', String(v.artifactCount));
	row('Digest', markdownCode(v.digest.slice(0, 12)));
	// From the manifest, when the tooltip is resolved (hovering): the machine, training, --meta, --link.
	for (const [k, value] of run) row(escapeMarkdown(oneLine(k[0].toUpperCase() + k.slice(1))), k === 'link' && WEB_LINK.test(value) ? `<${value}>` : escapeMarkdown(oneLine(value)));
	if (v.numberShared) lines.push('', `Another version of ${escapeMarkdown(v.model)} is also v${v.number} (made on another branch); the digest tells them apart.`);
	return lines.join('\n');
}

// --- filter -----------------------------------------------------------------------------------------

export interface VersionFilter {
	/** What the user typed, shown back in the view. */
	text: string;
	terms: Array<{ kind: 'alias' | 'tag' | 'text'; value: string }>;
}

/**
 * Parses a filter: `@production` matches an alias, `#baseline` a tag, any other word the number,
 * label, message, author, commit or digest prefix. All terms must match.
 */
export function parseVersionFilter(text: string): VersionFilter | undefined {
	const terms: VersionFilter['terms'] = [];
	for (const word of text.trim().split(/\s+/).filter(Boolean)) {
		if (word.startsWith('@') && word.length > 1) terms.push({ kind: 'alias', value: word.slice(1).toLowerCase() });
		else if (word.startsWith('#') && word.length > 1) terms.push({ kind: 'tag', value: word.slice(1).toLowerCase() });
		else terms.push({ kind: 'text', value: word.toLowerCase() });
	}
	return terms.length ? { text: text.trim(), terms } : undefined;
}

/** Whether a version passes the filter; `tags` are the version's tags from the events. */
export function matchesVersionFilter(v: VersionSummary, filter: VersionFilter, tags: string[] = []): boolean {
	return filter.terms.every((term) => {
		switch (term.kind) {
			case 'alias':
				return v.aliases.some((a) => a.toLowerCase() === term.value);
			case 'tag':
				return tags.some((t) => t.toLowerCase() === term.value);
			case 'text': {
				const value = term.value;
				if (/^v?\d+$/.test(value) && v.number === Number(value.replace(/^v/, ''))) return true;
				const haystack = [v.label, v.releaseLabel ?? '', v.message, v.author.name, v.git.branch ?? '', ...v.aliases, ...tags].join('\n').toLowerCase();
				if (haystack.includes(value)) return true;
				return value.length >= 4 && /^[0-9a-f]+$/.test(value) && (v.digest.startsWith(value) || (v.git.commit ?? '').startsWith(value));
			}
		}
	});
}

// --- artifacts ----------------------------------------------------------------------------------------

export type ArtifactChange = 'added' | 'modified' | 'unchanged';

/** How each artifact of a version differs from its parent version (all `added` without a parent). */
export function artifactChanges(manifest: VersionManifest, parent: VersionManifest | undefined): Map<string, ArtifactChange> {
	const before = new Map((parent?.artifacts ?? []).map((a) => [a.path, a.sha256]));
	const result = new Map<string, ArtifactChange>();
	for (const a of manifest.artifacts) {
		const sha = before.get(a.path);
		result.set(a.path, sha === undefined ? (parent ? 'added' : 'unchanged') : sha === a.sha256 ? 'unchanged' : 'modified');
	}
	return result;
}

/** Artifacts grouped by role, in the order roles are declared. */
export function groupByRole(artifacts: ArtifactRecord[]): Array<{ role: Role; artifacts: ArtifactRecord[] }> {
	const order = Object.keys(ROLE_TITLES) as Role[];
	const groups = new Map<Role, ArtifactRecord[]>();
	for (const a of artifacts) {
		const list = groups.get(a.role) ?? [];
		list.push(a);
		groups.set(a.role, list);
	}
	return order.filter((r) => groups.has(r)).map((role) => ({ role, artifacts: groups.get(role)! }));
}

export interface FileDifference {
	path: string;
	change: 'added' | 'removed' | 'modified';
	/** The artifact on each side (absent on the side where the file does not exist). */
	a?: ArtifactRecord;
	b?: ArtifactRecord;
}

/** Files that differ between two versions' manifests, sorted by path. */
export function changedFiles(a: VersionManifest, b: VersionManifest): FileDifference[] {
	const left = new Map(a.artifacts.map((x) => [x.path, x]));
	const right = new Map(b.artifacts.map((x) => [x.path, x]));
	const result: FileDifference[] = [];
	for (const [path, l] of left) {
		const r = right.get(path);
		if (!r) result.push({ path, change: 'removed', a: l });
		else if (r.sha256 !== l.sha256) result.push({ path, change: 'modified', a: l, b: r });
	}
	for (const [path, r] of right) if (!left.has(path)) result.push({ path, change: 'added', b: r });
	return result.sort((x, y) => (x.path < y.path ? -1 : x.path > y.path ? 1 : 0));
}

/** `3 changed: 1 added, 2 modified` style summary of working changes. */
export function changeCount(changes: WorkingChanges): number {
	return changes.added.length + changes.removed.length + changes.modified.length;
}

export function describeChanges(changes: WorkingChanges): string {
	const parts: string[] = [];
	if (changes.modified.length) parts.push(`${changes.modified.length} modified`);
	if (changes.added.length) parts.push(`${changes.added.length} added`);
	if (changes.removed.length) parts.push(`${changes.removed.length} removed`);
	return parts.length ? parts.join(', ') : 'no changes';
}

/** Editor title of a diff: `rag.yaml (v3 ↔ v5)`; a file name's controls and bidi overrides shown as escapes (tab titles are plain text). */
export function diffTitle(path: string, left: string, right: string): string {
	return oneLine(`${baseName(path)} (${left} ↔ ${right})`);
}

// --- values -------------------------------------------------------------------------------------------

/** A flattened param or metric value as it reads in the tree. */
export function formatValue(value: unknown): string {
	if (typeof value === 'string') return JSON.stringify(value);
	if (typeof value === 'number') return Number.isInteger(value) ? String(value) : String(Number(value.toPrecision(6)));
	return String(value);
}

export function baseName(path: string): string {
	return path.split('/').pop() || path;
}

export function dirName(path: string): string {
	const i = path.lastIndexOf('/');
	return i < 0 ? '' : path.slice(0, i);
}

export function truncate(text: string, max: number): string {
	return text.length <= max ? text : `${text.slice(0, max - 1).trimEnd()}…`;
}

export function firstLine(text: string): string {
	return text.split('\n')[0].trim();
}

/**
 * Text for Markdown (tooltips, hovers): control characters written as visible escapes (a bidi
 * override cannot reorder what the reader sees), then every ASCII punctuation character
 * backslash-escaped. CommonMark renders an escaped character as itself, so no text from a manifest,
 * an event, git or a file becomes emphasis, a link, an autolink (`https\://`, `www\.`), HTML, an
 * entity (`\&lt;` shows as written), a table, a heading or an icon (`\$(check)`). Line breaks stay.
 */
export function escapeMarkdown(text: string): string {
	return escapeControls(text).replace(/[!-/:-@[-`{-~]/g, '\\$&');
}

/**
 * An inline code span showing any one line of text as written: controls and line breaks visible
 * (oneLine), and a fence longer than any run of backticks inside, so no text closes the span early
 * and what follows cannot become a link. (A backslash does not escape inside a code span.)
 */
export function markdownCode(text: string): string {
	const t = oneLine(text);
	let longest = 0;
	for (const run of t.match(/`+/g) ?? []) longest = Math.max(longest, run.length);
	const fence = '`'.repeat(longest + 1);
	const pad = t.startsWith('`') || t.endsWith('`') || t.trim() === '' ? ' ' : '';
	return `${fence}${pad}${t}${pad}${fence}`;
}

// VS Code draws `$(name)` and `$(name~spin)` as an icon in quick-pick labels, descriptions and
// details, status bar text and input-box prompts (its labelWithIconsRegex, same name pattern), and
// shows `\$(name)` as the text `$(name)`. A backslash already before it stays text: `\\$(x)` shows `\$(x)`.
const ICON_SYNTAX = /\$\([A-Za-z0-9-]+(?:~[A-Za-z]+)?\)/g;

/** The text with every `$(name)` escaped, so VS Code shows it as written instead of as an icon. */
export function escapeIcons(text: string): string {
	return text.replace(ICON_SYNTAX, '\\$&');
}

// VS Code makes `[text](https://…)`, `[text](command:…)` and `[text](file:…)` a link in notification
// messages and input-box prompts (its parseLinkedText); there is no escape syntax. A word joiner
// (U+2060, zero-width) between `]` and `(` leaves the text looking as written and breaks the match.
const LINK_SYNTAX = /\]\(/g;

/**
 * A notification's or dialog's text: controls written as visible escapes (line breaks kept: dialogs
 * show them) and no `[text](target)` that VS Code would turn into a link. Every message the
 * extension shows goes through it (src/extension/userInterface.ts).
 */
export function noticeText(text: string): string {
	return escapeControls(text).replace(LINK_SYNTAX, ']\u2060(');
}

/** The text parts of a tree item or quick-pick item, as the editor shows them. */
export interface ShownText {
	label?: string | { label: string };
	description?: string | boolean;
	detail?: string;
	tooltip?: string | { value: string } | unknown;
}

/**
 * Where text is shown decides what must be escaped: a tree item's label and description are plain
 * text in VS Code (a string label is never parsed for icons), while a quick pick's label,
 * description and detail draw `$(name)` as an icon.
 */
export type ShownIn = 'tree' | 'picker';

/**
 * Makes what a tree item or quick pick shows plain text: labels and descriptions on one line with
 * control characters written as `\e`, `\n`, …; in a picker `$(name)` escaped so it shows as text
 * (an item's own icon goes in `iconPath`); tooltips keep their line breaks. Applied once where
 * items are handed to the editor (the registry tree's getTreeItem, pickOne/createPicker in
 * src/extension/userInterface.ts), so a planted manifest, event, branch or file name shows what it
 * holds instead of hiding text, reordering it or faking an icon.
 */
export function plainShownText<T extends ShownText>(item: T, shownIn: ShownIn): T {
	const line = shownIn === 'picker' ? (text: string) => escapeIcons(oneLine(text)) : oneLine;
	if (typeof item.label === 'string') item.label = line(item.label);
	else if (item.label && typeof item.label === 'object') item.label.label = line(item.label.label);
	if (typeof item.description === 'string') item.description = line(item.description);
	if (typeof item.detail === 'string') item.detail = line(item.detail);
	if (typeof item.tooltip === 'string') item.tooltip = escapeControls(item.tooltip);
	else if (item.tooltip && typeof item.tooltip === 'object' && typeof (item.tooltip as { value?: unknown }).value === 'string') {
		const markdown = item.tooltip as { value: string };
		markdown.value = escapeControls(markdown.value);
	}
	return item;
}
