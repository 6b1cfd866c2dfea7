// The Registry sidebar: Models → Versions → Artifacts (by role) / Params / Metrics / Lineage.
// RegistryTreeModel owns the data, the filter, paging and change events; RegistryTreeProvider only
// maps its plain-data nodes to TreeItems. Listing versions uses the index only (no manifest read
// per version); a version's manifest is read when it is expanded. Ids come from registry keys
// (folder root + model + digest), never from labels, so expansion survives refreshes.
//
// Extension points for other features' context menus (package.json `view/item/context`, match
// with `viewItem =~ /^version/` etc.):
//   model                          a model
//   version | version.aliased      a version (the latter has at least one alias)
//   artifact.text                  a text file of a version, unchanged from its parent
//   artifact.text.changed          a text file added or modified in this version
//   artifact.binary                weights and other binary files (open as a summary)
//   otherRefs | otherVersion       "Other branches" and a version only on another git ref (read-only:
//                                  deliberately not `version…`, so no alias/restore menus)
// Node objects are passed to commands as their first argument; every node carries `root` and
// `model`, and version-level nodes `digest`, so they double as argument objects.
import * as vscode from 'vscode';
import { askText } from '../userInterface';
import { COMMANDS, CONTEXT_KEYS } from '../commands';
import type { ActivationCommand, CommandHandlers } from '../commands';
import { Disposable, disposableOf } from '../dispose';
import type { IDisposable } from '../dispose';
import { formatBytes } from '../../core/byteSize';
import { describeError, LedgerError } from '../../core/errors';
import type { Ledger } from '../../core/ledger';
import type { adoptOtherRefVersions, OtherRefsReport } from '../../core/index/otherRefs';
import type { runInfoLines } from '../../core/snapshot/runMetadata';
import type { ArtifactRecord, Role, Scalar, VersionManifest, VersionSummary } from '../../core/model';
import { NativeModuleError } from '../../core/index/sqlite';
import { showsAsSummary } from './storedFileContent';
import { aliasLine } from '../lifecycle/lifecycleText';
import { historyChildren, historyNode, historyNodeId, historyTreeItem } from '../lifecycle/lifecycleTree';
import type { EventNode, HistoryNode } from '../lifecycle/lifecycleTree';
import { storedFileUri } from './storedFiles';
import type { ArtifactChange, VersionFilter } from './versionText';
import {
	artifactChanges,
	baseName,
	dirName,
	plainShownText,
	escapeMarkdown,
	markdownCode,
	formatValue,
	groupByRole,
	matchesVersionFilter,
	parseVersionFilter,
	ROLE_TITLES,
	shortCommit,
	versionDescription,
	versionLabel,
	versionShortName,
	versionTooltip,
} from './versionText';
import type { LedgerEntry, WorkspaceLedgers } from '../workspaceLedgers';

export type RegistryNode =
	| { kind: 'folder'; root: string; name: string }
	| { kind: 'model'; root: string; model: string; description?: string }
	| { kind: 'version'; root: string; model: string; digest: string; version: VersionSummary; tags: string[] }
	| { kind: 'more'; root: string; model: string; hidden: number }
	| { kind: 'otherRefs'; root: string; model: string; count: number }
	| { kind: 'otherVersion'; root: string; model: string; digest: string; version: VersionSummary; refs: string[]; objectsMissing: number }
	| { kind: 'section'; root: string; model: string; digest: string; section: 'artifacts' | 'params' | 'metrics' | 'lineage'; count: number }
	| { kind: 'role'; root: string; model: string; digest: string; role: Role; count: number }
	| { kind: 'artifact'; root: string; model: string; digest: string; versionName: string; artifact: ArtifactRecord; change: ArtifactChange }
	| { kind: 'valuesFile'; root: string; model: string; digest: string; section: 'params' | 'metrics'; file: string; count: number }
	| { kind: 'value'; root: string; model: string; digest: string; id: string; key: string; value: string; detail?: string; icon?: string }
	| { kind: 'message'; root: string; id: string; text: string; tooltip?: string; error?: boolean; open?: { file: string; line?: number } }
	| HistoryNode
	| EventNode;

const HIGHLIGHT_ALIASES = new Set(['production', 'prod', 'champion']);

interface ModelListing {
	versions: VersionSummary[];
	tags: Map<string, string[]>;
	/** The versions that passed the current filter (10k versions take ~40 ms to filter: once per change). */
	filtered?: { filter: VersionFilter; versions: VersionSummary[] };
}

/**
 * What the tree asks of the core beyond a Ledger's own methods. Passed in by extension.ts from
 * dist/features.js (loaded by then: a ledger is open), so this activation-bundle module imports none
 * of git's manifest scan, the YAML parser or the secret rules (test/unit/extensionSplit.test.ts).
 */
export interface RegistryQueries {
	adoptOtherRefVersions: typeof adoptOtherRefVersions;
	runInfoLines: typeof runInfoLines;
}

export class RegistryTreeModel extends Disposable {
	private readonly emitter = this.register(new vscode.EventEmitter<RegistryNode | undefined>());
	/** Fires when nodes changed; `undefined` means the whole tree. */
	readonly onDidChange = this.emitter.event;
	private readonly filterEmitter = this.register(new vscode.EventEmitter<void>());
	readonly onDidChangeFilter = this.filterEmitter.event;
	private readonly listings = new Map<string, ModelListing>();
	private readonly manifests = new Map<string, VersionManifest>();
	private readonly shown = new Map<string, number>();
	/** Per folder: versions git holds only on other refs (read in the background; O(1) git processes). */
	private readonly otherRefs = new Map<string, OtherRefsReport | 'loading'>();
	private filterValue: VersionFilter | undefined;
	/** Total and matching versions over all models, for the view's message while filtering. */
	lastCounts = { total: 0, matching: 0 };

	constructor(
		private readonly ledgers: WorkspaceLedgers,
		private readonly settings: { autoRefresh(): boolean; pageSize(): number },
		readonly queries: () => RegistryQueries,
	) {
		super();
		this.register(
			ledgers.onDidChange((change) => {
				if (!change.kinds.has('registry') && !change.kinds.has('config')) return;
				if (!this.settings.autoRefresh()) return;
				this.invalidate(change.entry.root);
			}),
		);
	}

	get filter(): VersionFilter | undefined {
		return this.filterValue;
	}

	/** Shows only versions matching `text` (`@alias`, `#tag`, or words); empty clears. */
	setFilter(text: string | undefined): VersionFilter | undefined {
		this.filterValue = text ? parseVersionFilter(text) : undefined;
		this.shown.clear();
		this.filterEmitter.fire();
		this.emitter.fire(undefined);
		return this.filterValue;
	}

	/** Drops cached listings (of one folder, or all) and re-renders. */
	invalidate(root?: string): void {
		for (const key of [...this.listings.keys()]) if (root === undefined || key.startsWith(`${root}\u0000`)) this.listings.delete(key);
		for (const key of [...this.otherRefs.keys()]) if (root === undefined || key === root) this.otherRefs.delete(key);
		this.emitter.fire(undefined);
	}

	showMore(node: { root: string; model: string }): void {
		const key = listingKey(node.root, node.model);
		this.shown.set(key, (this.shown.get(key) ?? this.settings.pageSize()) + this.settings.pageSize());
		this.emitter.fire(undefined);
	}

	children(node?: RegistryNode): RegistryNode[] {
		try {
			return this.childrenUnsafe(node);
		} catch (err) {
			if (err instanceof NativeModuleError) {
				// The welcome view explains it (context key set by the health check, which already
				// notified once at activation: no notification per render).
				void vscode.commands.executeCommand(COMMANDS.checkRegistry, { notify: false });
				return [];
			}
			const root = node && 'root' in node ? node.root : '';
			const location = err instanceof LedgerError ? err.location : undefined;
			return [
				{
					kind: 'message',
					root,
					id: `${root}\u0000error\u0000${node ? nodeId(node) : ''}`,
					text: describeError(err),
					tooltip: describeError(err),
					error: true,
					open: location ? { file: location.file, line: location.line } : undefined,
				},
			];
		}
	}

	private childrenUnsafe(node?: RegistryNode): RegistryNode[] {
		if (!node) {
			const all = this.ledgers.all();
			if (all.length === 1) return this.modelsOf(all[0]);
			return all.map((e) => ({ kind: 'folder', root: e.root, name: e.folder.name }));
		}
		switch (node.kind) {
			case 'folder': {
				const entry = this.ledgers.forRoot(node.root);
				return entry ? this.modelsOf(entry) : [];
			}
			case 'model':
				return this.versionsOf(node.root, node.model);
			case 'version':
				return this.sectionsOf(node);
			case 'section':
				return this.sectionChildren(node);
			case 'role': {
				const { manifest, changes } = this.versionFiles(node.root, node.model, node.digest);
				return manifest.artifacts
					.filter((a) => a.role === node.role)
					.map((artifact) => ({ kind: 'artifact', root: node.root, model: node.model, digest: node.digest, versionName: versionShortName(this.summaryOf(node.root, node.digest, manifest)), artifact, change: changes.get(artifact.path) ?? 'unchanged' }));
			}
			case 'valuesFile':
				return this.valuesOf(node.root, node.model, node.digest, node.section, node.file);
			case 'history':
				return historyChildren(this.ledgerOf(node.root), node, this.listing(node.root, node.model).versions);
			case 'otherRefs':
				return this.otherVersionsOf(node.root, node.model);
			case 'otherVersion':
				return this.sectionsOf(node);
			default:
				return [];
		}
	}

	/** The node above `node` (built from its keys; the tree matches nodes by id). */
	parent(node: RegistryNode): RegistryNode | undefined {
		const multiRoot = this.ledgers.all().length > 1;
		const folder = (root: string): RegistryNode | undefined => {
			if (!multiRoot) return undefined;
			const entry = this.ledgers.forRoot(root);
			return entry ? { kind: 'folder', root, name: entry.folder.name } : undefined;
		};
		const versionNode = (root: string, model: string, digest: string): RegistryNode | undefined => {
			const { versions, tags } = this.listing(root, model);
			const version = versions.find((v) => v.digest === digest);
			return version ? { kind: 'version', root, model, digest, version, tags: tags.get(digest) ?? [] } : undefined;
		};
		const section = (root: string, model: string, digest: string, name: 'artifacts' | 'params' | 'metrics' | 'lineage'): RegistryNode | undefined =>
			this.sectionsOf({ root, model, digest }).find((s) => s.kind === 'section' && s.section === name);
		switch (node.kind) {
			case 'folder':
			case 'message':
				return undefined;
			case 'model':
				return folder(node.root);
			case 'version':
			case 'more':
			case 'history':
			case 'otherRefs':
				return this.modelsOf(this.ledgers.forRoot(node.root)!).find((m) => m.kind === 'model' && m.model === node.model);
			case 'event':
				return historyNode(this.ledgerOf(node.root), node.root, node.model, this.listing(node.root, node.model).versions);
			case 'section':
				return versionNode(node.root, node.model, node.digest) ?? this.otherVersionsOf(node.root, node.model).find((n) => n.kind === 'otherVersion' && n.digest === node.digest);
			case 'otherVersion':
				return this.otherRefsNode(node.root, node.model);
			case 'role':
				return section(node.root, node.model, node.digest, 'artifacts');
			case 'artifact': {
				const count = this.manifest(node.root, node.model, node.digest).artifacts.filter((a) => a.role === node.artifact.role).length;
				return { kind: 'role', root: node.root, model: node.model, digest: node.digest, role: node.artifact.role, count };
			}
			case 'valuesFile':
				return section(node.root, node.model, node.digest, node.section);
			case 'value': {
				const [kind, file] = node.id.split('\u0000');
				if (kind === 'lineage') return section(node.root, node.model, node.digest, 'lineage');
				const sectionName = kind as 'params' | 'metrics';
				const files = Object.keys(this.manifest(node.root, node.model, node.digest)[sectionName]);
				if (files.length === 1) return section(node.root, node.model, node.digest, sectionName);
				return { kind: 'valuesFile', root: node.root, model: node.model, digest: node.digest, section: sectionName, file, count: Object.keys(this.manifest(node.root, node.model, node.digest)[sectionName][file] ?? {}).length };
			}
		}
	}

	private ledgerOf(root: string): Ledger {
		const entry = this.ledgers.forRoot(root);
		if (!entry) throw new LedgerError({ code: 'LEDGER_ERROR', message: `${root} no longer has a model-ledger.yaml.` });
		return entry.ledger;
	}

	private modelsOf(entry: LedgerEntry): RegistryNode[] {
		// Models removed or renamed in model-ledger.yaml keep their versions: listed after the configured ones.
		const configured = entry.ledger.config.models.map((m) => m.name);
		const unconfigured = new Set(entry.ledger.unconfiguredModels());
		let total = 0;
		let matching = 0;
		const nodes: RegistryNode[] = [...configured, ...unconfigured].map((name) => {
			const m = { name };
			const listing = this.listing(entry.root, m.name);
			const latest = listing.versions[0];
			const count = listing.versions.length;
			total += count;
			const aliases = aliasLine(listing.versions);
			let description = latest ? `${aliases ? `${aliases} · latest ` : ''}${versionShortName(latest)} · ${count} version${count === 1 ? '' : 's'}` : 'no versions yet';
			if (unconfigured.has(m.name)) description = `no longer configured · ${description}`;
			if (this.filterValue) {
				const n = this.matching(entry.root, m.name).length;
				matching += n;
				description = `${n} of ${count} match`;
			}
			return { kind: 'model', root: entry.root, model: m.name, description };
		});
		this.lastCounts = { total, matching };
		return nodes;
	}

	/** The model's versions (newest first) with tags, from the index; cached until the registry changes. */
	listing(root: string, model: string): ModelListing {
		const key = listingKey(root, model);
		let listing = this.listings.get(key);
		if (!listing) {
			const ledger = this.ledgerOf(root);
			const versions = ledger.listVersions(model);
			const tags = new Map<string, string[]>();
			for (const e of ledger.index.events(model)) {
				if (e.type !== 'tagged' || !e.digest || !e.tag) continue;
				tags.set(e.digest, [...(tags.get(e.digest) ?? []), e.tag]);
			}
			listing = { versions, tags };
			this.listings.set(key, listing);
		}
		return listing;
	}

	private matching(root: string, model: string): VersionSummary[] {
		const listing = this.listing(root, model);
		const filter = this.filterValue;
		if (!filter) return listing.versions;
		if (listing.filtered?.filter !== filter) listing.filtered = { filter, versions: listing.versions.filter((v) => matchesVersionFilter(v, filter, listing.tags.get(v.digest))) };
		return listing.filtered.versions;
	}

	private versionsOf(root: string, model: string): RegistryNode[] {
		const { tags } = this.listing(root, model);
		const versions = this.matching(root, model);
		const limit = this.shown.get(listingKey(root, model)) ?? this.settings.pageSize();
		const nodes: RegistryNode[] = versions.slice(0, limit).map((v) => ({ kind: 'version', root, model, digest: v.digest, version: v, tags: tags.get(v.digest) ?? [] }));
		if (!this.filterValue) {
			// The audit trail (issue 7's History node) sits above the versions.
			const history = historyNode(this.ledgerOf(root), root, model, this.listing(root, model).versions);
			if (history) nodes.unshift(history);
		}
		if (versions.length > limit) nodes.push({ kind: 'more', root, model, hidden: versions.length - limit });
		// While filtering, it holds only the matching versions (and is left out when none match).
		const others = this.otherRefsNode(root, model);
		if (others) nodes.push(others);
		if (versions.length === 0 && this.filterValue) {
			const where = others ? ' in this checkout' : '';
			nodes.push({ kind: 'message', root, id: `${root}\u0000${model}\u0000nomatch`, text: `No version${where} matches “${this.filterValue.text}”` });
		}
		return nodes;
	}

	/**
	 * The collapsed "Other branches" node of a model: versions whose manifests git holds only on other
	 * refs (a branch, a tag, a stash). Read in the background the first time; the tree refreshes then.
	 */
	private otherRefsNode(root: string, model: string): Extract<RegistryNode, { kind: 'otherRefs' }> | undefined {
		const count = this.otherVersionsOf(root, model).length;
		return count ? { kind: 'otherRefs', root, model, count } : undefined;
	}

	/** The model's versions only on other refs, newest first; while filtering, those the filter matches. */
	private otherVersionsOf(root: string, model: string): Array<Extract<RegistryNode, { kind: 'otherVersion' }>> {
		const report = this.otherRefsReport(root);
		if (!report) return [];
		const ledger = this.ledgerOf(root);
		const filter = this.filterValue;
		return report.versions
			.filter((v) => v.model === model)
			.flatMap((v) => {
				const entry = ledger.otherRefOf(v.digest);
				if (!entry || (filter && !matchesVersionFilter(entry.summary, filter))) return [];
				return [{ kind: 'otherVersion' as const, root, model, digest: v.digest, version: entry.summary, refs: v.refs, objectsMissing: v.objectsTotal - v.objectsPresent }];
			});
	}

	private otherRefsReport(root: string): OtherRefsReport | undefined {
		const cached = this.otherRefs.get(root);
		if (cached === 'loading') return undefined;
		if (cached) return cached;
		const entry = this.ledgers.forRoot(root);
		if (!entry) return undefined;
		this.otherRefs.set(root, 'loading');
		// The manifests are adopted by the ledger: documents of their files open like any version's.
		this.queries().adoptOtherRefVersions(entry.ledger).then(
			(report) => {
				if (this.otherRefs.get(root) !== 'loading') return;
				for (const v of report.versions) this.manifests.set(v.digest, v.manifest);
				this.otherRefs.set(root, report);
				if (report.versions.length) this.emitter.fire(undefined);
			},
			() => {
				// Not a git repository, git off in Restricted Mode, or git failing: no such node.
				if (this.otherRefs.get(root) === 'loading') this.otherRefs.set(root, { inRepo: false, versions: [], problems: [], gitProcesses: 0 });
			},
		);
		return undefined;
	}

	/** A version's manifest (immutable, so cached by digest). */
	manifest(root: string, model: string, digest: string): VersionManifest {
		let manifest = this.manifests.get(digest);
		if (!manifest) {
			manifest = this.ledgerOf(root).readManifest({ model, digest });
			this.manifests.set(digest, manifest);
		}
		return manifest;
	}

	private summaryOf(root: string, digest: string, manifest: VersionManifest): Pick<VersionSummary, 'number' | 'digest' | 'numberShared'> {
		const listed = this.listing(root, manifest.model).versions.find((v) => v.digest === digest);
		return listed ?? { number: manifest.number, digest, numberShared: false };
	}

	private versionFiles(root: string, model: string, digest: string): { manifest: VersionManifest; parent?: VersionManifest; changes: Map<string, ArtifactChange> } {
		const manifest = this.manifest(root, model, digest);
		let parent: VersionManifest | undefined;
		if (manifest.parent) {
			try {
				parent = this.manifest(root, model, manifest.parent);
			} catch {
				parent = undefined; // parent removed (gc of a branch): show no changes rather than fail
			}
		}
		return { manifest, parent, changes: artifactChanges(manifest, parent) };
	}

	private sectionsOf(node: { root: string; model: string; digest: string }): RegistryNode[] {
		const manifest = this.manifest(node.root, node.model, node.digest);
		const base = { root: node.root, model: node.model, digest: node.digest };
		const count = (files: Record<string, Record<string, Scalar>>) => Object.values(files).reduce((n, f) => n + Object.keys(f).length, 0);
		const sections: RegistryNode[] = [{ kind: 'section', ...base, section: 'artifacts', count: manifest.artifacts.length }];
		const params = count(manifest.params);
		if (params) sections.push({ kind: 'section', ...base, section: 'params', count: params });
		const metrics = count(manifest.metrics);
		if (metrics) sections.push({ kind: 'section', ...base, section: 'metrics', count: metrics });
		sections.push({ kind: 'section', ...base, section: 'lineage', count: 0 });
		return sections;
	}

	private sectionChildren(node: Extract<RegistryNode, { kind: 'section' }>): RegistryNode[] {
		const { manifest, parent } = this.versionFiles(node.root, node.model, node.digest);
		const base = { root: node.root, model: node.model, digest: node.digest };
		switch (node.section) {
			case 'artifacts':
				return groupByRole(manifest.artifacts).map((g) => ({ kind: 'role', ...base, role: g.role, count: g.artifacts.length }));
			case 'params':
			case 'metrics': {
				const files = Object.entries(manifest[node.section]).filter(([, values]) => Object.keys(values).length > 0);
				if (files.length === 1) return this.valuesOf(node.root, node.model, node.digest, node.section, files[0][0]);
				return files.map(([file, values]) => ({ kind: 'valuesFile', ...base, section: node.section as 'params' | 'metrics', file, count: Object.keys(values).length }));
			}
			case 'lineage':
				return this.lineageOf(node, manifest, parent);
		}
	}

	private valuesOf(root: string, model: string, digest: string, section: 'params' | 'metrics', file: string): RegistryNode[] {
		const { manifest, parent } = this.versionFiles(root, model, digest);
		const values = manifest[section][file] ?? {};
		const before = parent?.[section][file];
		return Object.entries(values).map(([key, value]) => {
			let detail: string | undefined;
			if (before && key in before && before[key] !== value) {
				const old = before[key];
				detail = typeof value === 'number' && typeof old === 'number' ? `${value - old >= 0 ? '+' : ''}${formatValue(value - old)} since v${parent!.number}` : `was ${formatValue(old)}`;
			} else if (before && !(key in before)) {
				detail = 'new';
			}
			return { kind: 'value', root, model, digest, id: `${section}\u0000${file}\u0000${key}`, key, value: formatValue(value), detail, icon: section === 'metrics' ? 'graph-line' : 'symbol-field' };
		});
	}

	private lineageOf(node: { root: string; model: string; digest: string }, manifest: VersionManifest, parent: VersionManifest | undefined): RegistryNode[] {
		const rows: Array<[string, string, string?, string?]> = [];
		const git = manifest.git;
		rows.push(['commit', git.commit ? shortCommit(git) : 'no git repository', git.commit ?? undefined, 'git-commit']);
		if (git.branch) rows.push(['branch', git.branch, undefined, 'git-branch']);
		if (git.remote) rows.push(['remote', git.remote, undefined, 'remote']);
		if (git.dirty) rows.push(['uncommitted changes', git.patch ? 'patch stored with the version' : 'yes', git.patch ? `patch sha256 ${git.patch.slice(0, 12)}` : undefined, 'diff']);
		rows.push(['author', manifest.author.name, manifest.author.email, 'person']);
		rows.push(['created', manifest.createdAt.replace('T', ' ').slice(0, 16) + ' UTC', undefined, 'calendar']);
		rows.push(['parent', parent ? `v${parent.number} · ${parent.label}` : manifest.parent ? manifest.parent.slice(0, 12) : 'none (first version)', undefined, 'arrow-up']);
		for (const [path, sha] of Object.entries(manifest.lockfiles)) rows.push([path, sha.slice(0, 12), 'lockfile sha256', 'lock']);
		for (const ref of manifest.data) rows.push([ref.path, ref.md5 ? `md5 ${ref.md5.slice(0, 12)}` : 'no md5', `data reference from ${ref.source}${ref.stage ? ` (stage ${ref.stage}, ${ref.kind})` : ''}`, 'database']);
		return rows.map(([key, value, detail, icon], i) => ({ kind: 'value', ...node, id: `lineage\u0000${i}\u0000${key}`, key, value, detail, icon }));
	}
}

function listingKey(root: string, model: string): string {
	return `${root}\u0000${model}`;
}

/** Stable ids from registry keys. */
export function nodeId(node: RegistryNode): string {
	const s = '\u0000';
	switch (node.kind) {
		case 'folder':
			return `folder${s}${node.root}`;
		case 'model':
			return `model${s}${node.root}${s}${node.model}`;
		case 'version':
			return `version${s}${node.root}${s}${node.model}${s}${node.digest}`;
		case 'more':
			return `more${s}${node.root}${s}${node.model}`;
		case 'otherRefs':
			return `otherRefs${s}${node.root}${s}${node.model}`;
		case 'otherVersion':
			return `otherVersion${s}${node.root}${s}${node.model}${s}${node.digest}`;
		case 'section':
			return `section${s}${node.root}${s}${node.digest}${s}${node.section}`;
		case 'role':
			return `role${s}${node.root}${s}${node.digest}${s}${node.role}`;
		case 'artifact':
			return `artifact${s}${node.root}${s}${node.digest}${s}${node.artifact.path}`;
		case 'valuesFile':
			return `values${s}${node.root}${s}${node.digest}${s}${node.section}${s}${node.file}`;
		case 'value':
			return `value${s}${node.root}${s}${node.digest}${s}${node.id}`;
		case 'message':
			return `message${s}${node.id}`;
		case 'history':
		case 'event':
			return historyNodeId(node);
	}
}

const SECTION_TITLES = { artifacts: 'Artifacts', params: 'Params', metrics: 'Metrics', lineage: 'Lineage' } as const;
const SECTION_ICONS = { artifacts: 'files', params: 'settings', metrics: 'graph', lineage: 'git-merge' } as const;
const ROLE_ICONS: Record<Role, string> = { prompt: 'comment-discussion', rag: 'search', weights: 'circuit-board', params: 'settings-gear', metrics: 'pulse', data: 'database', other: 'file' };

/** Renders nodes; holds no data of its own. */
export class RegistryTreeProvider implements vscode.TreeDataProvider<RegistryNode> {
	readonly onDidChangeTreeData: vscode.Event<RegistryNode | undefined>;
	/** Lets another feature add to a version's item (remotes: a badge and a tooltip line). */
	decorateVersion?: (node: Extract<RegistryNode, { kind: 'version' }>, item: vscode.TreeItem) => void;

	constructor(readonly model: RegistryTreeModel) {
		this.onDidChangeTreeData = model.onDidChange;
	}

	getChildren(node?: RegistryNode): RegistryNode[] {
		return this.model.children(node);
	}

	/** On hover: a version's tooltip gains where and how it was made (read from its manifest only then, not per listed version). */
	resolveTreeItem(item: vscode.TreeItem, node: RegistryNode): vscode.TreeItem {
		if (node.kind !== 'version') return item;
		try {
			const run = this.model.queries().runInfoLines(this.model.manifest(node.root, node.model, node.digest));
			if (run.length) item.tooltip = new vscode.MarkdownString(versionTooltip(node.version, node.tags, new Date(), run));
		} catch {
			// An unreadable manifest keeps the index's tooltip; the tree reports the error when expanded.
		}
		return item;
	}

	/** Lets `TreeView.reveal` expand down to a version or one of its files. */
	getParent(node: RegistryNode): RegistryNode | undefined {
		return this.model.parent(node);
	}

	getTreeItem(node: RegistryNode): vscode.TreeItem {
		// One pass over what every item shows: repository text never reaches the view as control characters.
		return plainShownText(this.buildTreeItem(node), 'tree');
	}

	private buildTreeItem(node: RegistryNode): vscode.TreeItem {
		const C = vscode.TreeItemCollapsibleState;
		const item = new vscode.TreeItem('', C.None);
		item.id = nodeId(node);
		switch (node.kind) {
			case 'folder':
				item.label = node.name;
				item.collapsibleState = C.Expanded;
				item.iconPath = new vscode.ThemeIcon('root-folder');
				item.contextValue = 'folder';
				break;
			case 'model':
				item.label = node.model;
				item.description = node.description;
				item.collapsibleState = C.Expanded;
				item.iconPath = new vscode.ThemeIcon('package');
				item.contextValue = 'model';
				item.tooltip = new vscode.MarkdownString(`**${escapeMarkdown(node.model)}**  \n${escapeMarkdown(node.description ?? '')}`);
				break;
			case 'version':
				versionItem(node, item);
				this.decorateVersion?.(node, item);
				break;
			case 'more':
				item.label = `Show ${node.hidden.toLocaleString('en-US')} more…`;
				item.iconPath = new vscode.ThemeIcon('ellipsis');
				item.command = { command: COMMANDS.showMoreVersions, title: 'Show More', arguments: [node] };
				item.contextValue = 'more';
				break;
			case 'otherRefs':
				item.label = 'Other branches';
				item.description = `${node.count} version${node.count === 1 ? '' : 's'}`;
				item.tooltip = new vscode.MarkdownString('Versions whose manifests git holds only on other refs (branches, tags, the stash), not in this checkout. Read-only: check out the ref to set aliases or restore.');
				item.collapsibleState = C.Collapsed;
				item.iconPath = new vscode.ThemeIcon('git-branch');
				item.contextValue = 'otherRefs';
				break;
			case 'otherVersion':
				otherVersionItem(node, item);
				break;
			case 'section':
				item.label = SECTION_TITLES[node.section];
				item.description = node.count ? String(node.count) : undefined;
				item.iconPath = new vscode.ThemeIcon(SECTION_ICONS[node.section]);
				item.collapsibleState = node.section === 'artifacts' ? C.Expanded : C.Collapsed;
				item.contextValue = `section.${node.section}`;
				break;
			case 'role':
				item.label = ROLE_TITLES[node.role];
				item.description = String(node.count);
				item.iconPath = new vscode.ThemeIcon(ROLE_ICONS[node.role]);
				item.collapsibleState = node.role === 'prompt' ? C.Expanded : C.Collapsed;
				item.contextValue = `role.${node.role}`;
				break;
			case 'artifact':
				artifactItem(node, item);
				break;
			case 'valuesFile':
				item.label = node.file;
				item.description = String(node.count);
				item.iconPath = new vscode.ThemeIcon('file-code');
				item.collapsibleState = C.Collapsed;
				item.contextValue = 'valuesFile';
				break;
			case 'value':
				item.label = node.key;
				item.description = node.detail ? `${node.value} (${node.detail})` : node.value;
				item.tooltip = `${node.key} = ${node.value}${node.detail ? `\n${node.detail}` : ''}`;
				if (node.icon) item.iconPath = new vscode.ThemeIcon(node.icon);
				item.contextValue = 'value';
				break;
			case 'message':
				item.label = node.text;
				item.tooltip = node.tooltip;
				item.iconPath = new vscode.ThemeIcon(node.error ? 'error' : 'info', node.error ? new vscode.ThemeColor('errorForeground') : undefined);
				if (node.open && node.root) {
					const uri = vscode.Uri.joinPath(vscode.Uri.file(node.root), node.open.file);
					const line = Math.max(0, (node.open.line ?? 1) - 1);
					item.command = { command: 'vscode.open', title: 'Open', arguments: [uri, { selection: new vscode.Range(line, 0, line, 0) }] };
				}
				item.contextValue = 'message';
				break;
			case 'history':
			case 'event':
				return historyTreeItem(node, item);
		}
		return item;
	}
}

/** A version of this checkout: its label, aliases (starred when production-like) and tooltip. */
function versionItem(node: Extract<RegistryNode, { kind: 'version' }>, item: vscode.TreeItem): void {
	const v = node.version;
	item.label = versionLabel(v);
	item.description = versionDescription(v);
	item.tooltip = new vscode.MarkdownString(versionTooltip(v, node.tags));
	item.collapsibleState = vscode.TreeItemCollapsibleState.Collapsed;
	const highlighted = v.aliases.some((a) => HIGHLIGHT_ALIASES.has(a));
	item.iconPath = highlighted
		? new vscode.ThemeIcon('star-full', new vscode.ThemeColor('charts.yellow'))
		: v.aliases.length
			? new vscode.ThemeIcon('bookmark', new vscode.ThemeColor('charts.blue'))
			: new vscode.ThemeIcon('git-commit');
	item.contextValue = v.aliases.length ? 'version.aliased' : 'version';
}

/** A version git holds only on another ref: read-only, so none of the version menus. */
function otherVersionItem(node: Extract<RegistryNode, { kind: 'otherVersion' }>, item: vscode.TreeItem): void {
	const v = node.version;
	item.label = versionLabel(v);
	item.description = [node.refs.join(', '), v.message.split('\n')[0], node.objectsMissing ? `${node.objectsMissing} object(s) not here` : ''].filter(Boolean).join(' · ');
	item.tooltip = new vscode.MarkdownString(`${versionTooltip(v, [])}\n\nOnly on **${escapeMarkdown(node.refs.join(', '))}** (git), not in this checkout: read-only.${node.objectsMissing ? ` ${node.objectsMissing} of its objects are not in the local store (pull them, or fetch that branch's objects).` : ''}`);
	item.collapsibleState = vscode.TreeItemCollapsibleState.Collapsed;
	item.iconPath = new vscode.ThemeIcon('git-commit', new vscode.ThemeColor('disabledForeground'));
	// Not `version…`: the menus that write (alias, restore, approve) do not apply; those that read
	// (diff, compare, copy digest) match `otherVersion` too.
	item.contextValue = 'otherVersion';
}

/** A file of a version: opens its stored bytes; the change in that version comes first. */
function artifactItem(node: Extract<RegistryNode, { kind: 'artifact' }>, item: vscode.TreeItem): void {
	const a = node.artifact;
	const uri = storedFileUri({ root: node.root, model: node.model, digest: node.digest, name: node.versionName }, a.path);
	item.label = baseName(a.path);
	item.resourceUri = uri;
	// The change first: it is the part that must not be cut off in a narrow sidebar.
	const parts = [node.change !== 'unchanged' ? node.change : '', dirName(a.path), formatBytes(a.size)].filter(Boolean);
	item.description = parts.join(' · ');
	item.tooltip = new vscode.MarkdownString(`${markdownCode(a.path)}  \n${ROLE_TITLES[a.role]} · ${formatBytes(a.size)} · sha256 ${markdownCode(a.sha256.slice(0, 12))}${node.change !== 'unchanged' ? `  \n${node.change} in ${node.versionName}` : ''}`);
	item.iconPath = vscode.ThemeIcon.File;
	const binary = showsAsSummary(a);
	item.contextValue = binary ? 'artifact.binary' : node.change !== 'unchanged' ? 'artifact.text.changed' : 'artifact.text';
	item.command = { command: COMMANDS.openFileAtVersion, title: 'Open File at Version', arguments: [node] };
}

/** The Registry view's commands (all but the health check's): handled in the activation bundle. */
export type RegistryCommand = Exclude<ActivationCommand, 'checkRegistry'>;

export interface RegistryView extends vscode.Disposable {
	model: RegistryTreeModel;
	commands: CommandHandlers<RegistryCommand>;
	provider: RegistryTreeProvider;
	view: vscode.TreeView<RegistryNode>;
}

/** Creates the Registry view with its filter, refresh and paging commands. */
export function registerRegistryTree(ledgers: WorkspaceLedgers, queries: () => RegistryQueries): RegistryView {
	const config = () => vscode.workspace.getConfiguration('modelLedger');
	const model = new RegistryTreeModel(
		ledgers,
		{
			autoRefresh: () => config().get<boolean>('autoRefresh', true),
			pageSize: () => Math.max(10, config().get<number>('registry.pageSize', 200)),
		},
		queries,
	);
	const provider = new RegistryTreeProvider(model);
	const view = vscode.window.createTreeView('modelLedger.registry', { treeDataProvider: provider, canSelectMany: true, showCollapseAll: true });
	const updateFilterDisplay = () => {
		const filter = model.filter;
		void vscode.commands.executeCommand('setContext', CONTEXT_KEYS.filtered, filter !== undefined);
		view.description = filter ? `filter: ${filter.text}` : undefined;
		view.message = filter ? `Showing versions matching “${filter.text}”.` : undefined;
	};
	const disposables: IDisposable[] = [
		model,
		view,
		model.onDidChangeFilter(updateFilterDisplay),
		// The message names how many versions match once the models have been listed.
		model.onDidChange(() =>
			setTimeout(() => {
				const filter = model.filter;
				if (filter) view.message = `${model.lastCounts.matching.toLocaleString('en-US')} of ${model.lastCounts.total.toLocaleString('en-US')} versions match “${filter.text}”.`;
			}, 50),
		),
		vscode.workspace.onDidChangeConfiguration((e) => {
			if (e.affectsConfiguration('modelLedger.registry.pageSize')) model.invalidate();
		}),
	];
	// Registered by extension.ts with every other command of the table (commands.ts).
	const commands: CommandHandlers<RegistryCommand> = {
		refresh: () => {
			ledgers.refreshFolders();
			for (const entry of ledgers.all()) {
				entry.ledger.reloadConfig();
				try {
					entry.ledger.sync();
				} catch {
					// shown by the tree's error node
				}
			}
			model.invalidate();
		},
		filterVersions: async (arg?: { text?: string } | string) => {
			let text = typeof arg === 'string' ? arg : arg && typeof arg === 'object' && 'text' in arg ? arg.text : undefined;
			if (text === undefined) {
				text = await askText({
					title: 'Filter Versions',
					prompt: 'Words match the number, label, message, author, branch or commit; @name matches an alias, #name a tag.',
					placeHolder: 'e.g. @production, #baseline, top_k, v12',
					value: model.filter?.text ?? '',
				});
				if (text === undefined) return model.filter?.text;
			}
			return model.setFilter(text)?.text;
		},
		clearFilter: () => {
			model.setFilter(undefined);
		},
		copyDigest: async (node?: { digest?: string }) => {
			if (!node?.digest) return undefined;
			await vscode.env.clipboard.writeText(node.digest);
			return node.digest;
		},
		showMoreVersions: (node: { root: string; model: string }) => model.showMore(node),
	};
	updateFilterDisplay();
	return { model, provider, view, commands, ...disposableOf(disposables) };
}
