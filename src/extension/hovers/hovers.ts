// Hovers on tracked files: which versions hold the file's current content (first line of any tracked
// file; anywhere in prompt and config files), and on a key of a YAML/JSON config its value across
// versions with the metric change where it changed. Everything comes from index.db and the stat
// cache; the only parse is of the open document's own text, to find the key under the cursor, and it
// is cached per document version.
import { extname, relative, sep } from 'node:path';
import picomatch from 'picomatch';
import * as vscode from 'vscode';
import { notify } from '../userInterface';
import { keyHistory, variableHistory } from '../../core/query/keyHistory';
import type { Ledger } from '../../core/ledger';
import { isTracked, usedBy } from '../../core/query/usedBy';
import { tomlKeyPathAt } from '../../core/parse/tomlKeys';
import { keyPathAt, parseKeys } from '../../core/parse/yamlKeys';
import type { KeyAtOffset, ParsedKeys } from '../../core/parse/yamlKeys';
import type { CommandHandlers } from '../commands';
import { fileHoverMarkdown, HOVER_COMMANDS, keyHoverMarkdown } from './hoverText';
import type { RegistryView } from '../registry/registryTree';
import type { WorkspaceLedgers } from '../workspaceLedgers';

// Read through these full ids (the constants were declared and never used: the code read them relative to a section).
const HOVERS_ENABLED_SETTING = 'modelLedger.hovers.enabled';
const HOVERS_INCLUDE_SETTING = 'modelLedger.hovers.include';

/** A hover never hashes more than this: a bigger file whose stat changed shows as "not hashed". */
const MAX_HOVER_HASH_BYTES = 32 * 1024 * 1024;
/** Roles whose files get the file hover on every line, not only the first. */
const WHOLE_FILE_ROLES = new Set(['prompt', 'rag', 'params', 'metrics']);
const KEY_EXTENSIONS = new Map<string, 'yaml' | 'json' | 'toml'>([
	['.yaml', 'yaml'],
	['.yml', 'yaml'],
	['.json', 'json'],
	['.toml', 'toml'],
]);

export class LedgerHoverProvider implements vscode.HoverProvider {
	private readonly parsed = new Map<string, { version: number; keys: ParsedKeys }>();
	private include: { globs: string; isMatch: (path: string) => boolean } | undefined;

	constructor(
		private readonly ledgers: WorkspaceLedgers,
		private readonly canReveal: boolean,
	) {}

	provideHover(document: vscode.TextDocument, position: vscode.Position, token: vscode.CancellationToken): vscode.Hover | undefined {
		if (document.uri.scheme !== 'file') return undefined;
		const settings = vscode.workspace.getConfiguration(undefined, document.uri);
		if (!settings.get<boolean>(HOVERS_ENABLED_SETTING, true)) return undefined;
		const entry = this.ledgers.forUri(document.uri);
		if (!entry) return undefined;
		const path = relative(entry.root, document.uri.fsPath).split(sep).join('/');
		if (path.startsWith('..') || !this.included(path, settings.get<string[]>(HOVERS_INCLUDE_SETTING, ['**/*']))) return undefined;
		try {
			return this.hover(entry.ledger, entry.root, path, document, position, token);
		} catch {
			// A hover must never be in the way: a busy or broken index shows nothing (commands report it).
			return undefined;
		}
	}

	private hover(ledger: Ledger, root: string, path: string, document: vscode.TextDocument, position: vscode.Position, token: vscode.CancellationToken): vscode.Hover | undefined {
		if (!isTracked(ledger, path) || token.isCancellationRequested) return undefined;
		const ctx = { root, dirty: document.isDirty, canReveal: this.canReveal };
		const format = KEY_EXTENSIONS.get(extname(path).toLowerCase());
		const key = format ? this.keyAt(document, position, format) : undefined;
		const sections: string[] = [];
		let range: vscode.Range | undefined;
		if (key) {
			const history = keyHistory(ledger, path, key.semanticPath ?? key.path, { maxMetricChanges: 6 });
			if (history.found && history.models.length) {
				sections.push(keyHoverMarkdown(history, ctx, key));
				range = new vscode.Range(document.positionAt(key.keyRange[0]), document.positionAt(key.keyRange[1]));
			}
		}
		if (token.isCancellationRequested) return undefined;
		// The file hover: always on the first line; anywhere in prompts and configs, unless a key answered.
		const firstLine = position.line === 0;
		if (firstLine || sections.length === 0) {
			const used = usedBy(ledger, path, { maxHashBytes: MAX_HOVER_HASH_BYTES });
			if (!used.tracked || token.isCancellationRequested) return undefined;
			const wholeFile = (used.role !== null && WHOLE_FILE_ROLES.has(used.role)) || format !== undefined || used.history.length === 0;
			if (firstLine || wholeFile) {
				const variables = used.role === 'prompt' ? variableHistory(ledger, path) : undefined;
				sections.push(fileHoverMarkdown(used, ctx, variables));
			}
		}
		if (sections.length === 0 || token.isCancellationRequested) return undefined;
		const markdown = new vscode.MarkdownString(sections.join('\n\n---\n\n'));
		// Links may run these commands and nothing else; no HTML; text from files is escaped by hoverText.
		markdown.isTrusted = { enabledCommands: Object.values(HOVER_COMMANDS) };
		markdown.supportHtml = false;
		markdown.supportThemeIcons = false;
		return new vscode.Hover(markdown, range);
	}

	/** The key under the cursor; the document's parse is kept while its version does not change. */
	private keyAt(document: vscode.TextDocument, position: vscode.Position, format: 'yaml' | 'json' | 'toml'): KeyAtOffset | undefined {
		// TOML: one linear scan of the text (no AST to keep).
		if (format === 'toml') return tomlKeyPathAt(document.getText(), document.offsetAt(position));
		const id = document.uri.toString();
		let cached = this.parsed.get(id);
		if (!cached || cached.version !== document.version) {
			cached = { version: document.version, keys: parseKeys(document.getText(), format) };
			this.parsed.delete(id);
			this.parsed.set(id, cached);
			// A handful of recently hovered documents is all a cache needs.
			if (this.parsed.size > 8) this.parsed.delete(this.parsed.keys().next().value!);
		}
		return keyPathAt(cached.keys, document.offsetAt(position));
	}

	private included(path: string, globs: string[]): boolean {
		const key = JSON.stringify(globs);
		if (this.include?.globs !== key) this.include = { globs: key, isMatch: globs.length ? picomatch(globs, { dot: true }) : () => false };
		return this.include.isMatch(path);
	}

	forget(document: vscode.TextDocument): void {
		this.parsed.delete(document.uri.toString());
	}
}

/** The command behind a hover's "Show in sidebar" link: reveals a version in the Registry view. */
export function revealVersionCommands(sidebar: Pick<RegistryView, 'view' | 'model'>): CommandHandlers<'revealVersion'> {
	const revealVersion = async (arg?: { root?: string; model?: string; digest?: string }) => {
		if (!arg?.root || !arg.model || !arg.digest) return false;
		// The tree finds a version node through its parent chain; asking for a section's parent yields the version.
		const node = sidebar.model.parent({ kind: 'section', root: arg.root, model: arg.model, digest: arg.digest, section: 'artifacts', count: 0 });
		if (!node) {
			void notify('info', `${arg.model}: that version is not listed in the Registry view (a filter may hide it).`);
			return false;
		}
		await vscode.commands.executeCommand('workbench.view.extension.modelLedger');
		await sidebar.view.reveal(node, { select: true, focus: true, expand: true });
		return true;
	};
	return { revealVersion };
}
