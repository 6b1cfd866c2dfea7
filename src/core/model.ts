// The registry's data shapes, shared by the core, the CLI and the extension. Plain data only.
import type { RunInfo } from './snapshot/runMetadata';

export const ROLES = ['prompt', 'rag', 'weights', 'params', 'metrics', 'data', 'other'] as const;
export type Role = (typeof ROLES)[number];

export const VERSIONING_STRATEGIES = ['semver', 'timestamp', 'git', 'hybrid'] as const;
export type VersioningStrategy = (typeof VERSIONING_STRATEGIES)[number];

export type Bump = 'major' | 'minor' | 'patch';

/** A scalar leaf of a flattened config or metrics file. */
export type Scalar = string | number | boolean | null;

/** Flattened key paths of one structured file: `retriever.chunk_size` → 512, `stages[0].name` → "a". */
export type FlatValues = Record<string, Scalar>;

export interface ArtifactRecord {
	/** Workspace-relative, forward slashes. */
	path: string;
	role: Role;
	sha256: string;
	size: number;
	/** Unix permission bits (e.g. 0o644), restored with the file. */
	mode: number;
}

export interface TensorInfo {
	dtype: string;
	shape: number[];
}

export interface SafetensorsSummary {
	/** Every tensor, unless the header is huge (see `huge`): then empty. */
	tensors: Record<string, TensorInfo>;
	metadata?: Record<string, string>;
	/** Set for a huge header (the huge-file rule, src/core/parse/hugeFiles.ts): what is kept instead of every tensor. */
	huge?: HugeHeaderSummary;
}

export interface HugeHeaderSummary {
	/** Tensors the header lists (counted by their `data_offsets` when the header is too big to parse). */
	tensorCount: number;
	headerBytes: number;
	/** Elements over all tensors, and tensors per dtype; absent when the header was not parsed. */
	parameters?: number;
	dtypes?: Record<string, number>;
}

export interface PromptInfo {
	/** Template variables found in the text: `{{var}}`, `{var}`, Jinja `{{ var.attr }}` / `{% for x in xs %}`. */
	variables: string[];
}

export interface DataRef {
	/** The `.dvc` or `dvc.lock` file the reference came from. */
	source: string;
	/** The data path it references. */
	path: string;
	md5: string | null;
	size?: number;
	nfiles?: number;
	/** For `dvc.lock` entries: the stage that produced (`out`) or read (`dep`) the data. */
	stage?: string;
	/** `out` for data a `.dvc` file or stage tracks, `dep` for data a `dvc.lock` stage read. */
	kind?: 'out' | 'dep';
}

export interface GitLineage {
	commit: string | null;
	branch: string | null;
	remote: string | null;
	dirty: boolean;
	/** sha256 of the stored `git diff HEAD` patch when dirty. */
	patch?: string;
}

export interface Author {
	name: string;
	email?: string;
}

/** The immutable record of one version; its canonical YAML's sha256 is the version's digest. */
export interface VersionManifest {
	schema: 1;
	model: string;
	number: number;
	label: string;
	versioning: VersioningStrategy;
	createdAt: string;
	author: Author;
	message: string;
	/** Digest of the model's latest version when this one was made (absent for the first). */
	parent?: string;
	artifacts: ArtifactRecord[];
	/** Per file: flattened values of structured params/rag/config artifacts. */
	params: Record<string, FlatValues>;
	/** Per file: flattened values of metrics artifacts. */
	metrics: Record<string, FlatValues>;
	prompts: Record<string, PromptInfo>;
	weights: Record<string, SafetensorsSummary>;
	/** Lockfile path → sha256. */
	lockfiles: Record<string, string>;
	data: DataRef[];
	git: GitLineage;
	/** Files that could not be parsed as their extension says: recorded as opaque artifacts. */
	warnings?: string[];
	/** Files (or `git diff: <path>` for the patch) holding secrets the user chose to store (`--allow-secrets`). */
	secretsAllowed?: string[];
	/** The machine the version was made on (runMetadata.ts); absent in versions made before it was recorded. */
	environment?: RunInfo['environment'];
	/** `snapshot --meta key=value`. */
	meta?: RunInfo['meta'];
	/** `snapshot --link URL`: the run's page. */
	links?: RunInfo['links'];
	/** Duration and throughput keys of the Hugging Face Trainer outputs the version holds, per file. */
	training?: RunInfo['training'];
}

/** What lists and trees show: the manifest's head plus registry state. */
export interface VersionSummary {
	model: string;
	number: number;
	label: string;
	/** Hybrid versioning: the semantic release label the version got when a release alias first pointed to it. */
	releaseLabel?: string;
	digest: string;
	createdAt: string;
	author: Author;
	message: string;
	aliases: string[];
	git: { commit: string | null; branch: string | null; dirty: boolean };
	artifactCount: number;
	/** True when another version of this model has the same number (two branches both made "v8"). */
	numberShared: boolean;
}

export interface VersionDetail extends VersionSummary {
	manifest: VersionManifest;
}

export interface WorkingChanges {
	added: string[];
	removed: string[];
	modified: string[];
}
