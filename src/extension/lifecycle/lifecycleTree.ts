// The History node under each model in the Registry tree: the audit trail (alias moves,
// approvals, tags, notes and creations), newest first. registryTree.ts delegates these two node
// kinds here; clicking the History node opens the full trail as a document (Show Events).
import * as vscode from 'vscode';
import { formatAge } from '../../core/relativeTime';
import { compareEvents } from '../../core/lifecycle/events';
import type { LedgerEvent } from '../../core/lifecycle/events';
import type { Ledger } from '../../core/ledger';
import type { VersionSummary } from '../../core/model';
import { COMMANDS } from '../commands';
import { escapeMarkdown } from '../registry/versionText';
import { eventIcon, eventSummary } from './lifecycleText';

/** How many events the History node lists; the document shows all. */
const HISTORY_LIMIT = 50;

export interface HistoryNode {
	kind: 'history';
	root: string;
	model: string;
	/** The newest event's summary, shown next to the node. */
	latest?: string;
}

export interface EventNode {
	kind: 'event';
	root: string;
	model: string;
	event: LedgerEvent;
	text: string;
}

/** The model's trail, newest first: recorded events plus `created` ones from the (already listed) versions. */
function trail(ledger: Ledger, model: string, versions: VersionSummary[]): LedgerEvent[] {
	const created: LedgerEvent[] = versions.map((v) => ({ id: `created-${v.digest}`, type: 'created', model, at: v.createdAt, by: v.author, digest: v.digest, ...(v.message ? { note: v.message } : {}) }));
	return [...ledger.index.events(model), ...created].sort((a, b) => compareEvents(b, a));
}

/** The History node of a model (undefined when the model has no versions or events yet). */
export function historyNode(ledger: Ledger, root: string, model: string, versions: VersionSummary[]): HistoryNode | undefined {
	const events = trail(ledger, model, versions);
	if (events.length === 0) return undefined;
	const names = new Map(versions.map((v) => [v.digest, v]));
	return { kind: 'history', root, model, latest: `${eventSummary(events[0], names)} · ${formatAge(events[0].at)}` };
}

export function historyChildren(ledger: Ledger, node: HistoryNode, versions: VersionSummary[]): EventNode[] {
	const names = new Map(versions.map((v) => [v.digest, v]));
	return trail(ledger, node.model, versions)
		.slice(0, HISTORY_LIMIT)
		.map((event) => ({ kind: 'event', root: node.root, model: node.model, event, text: eventSummary(event, names) }));
}

export function historyNodeId(node: HistoryNode | EventNode): string {
	const s = '\u0000';
	return node.kind === 'history' ? `history${s}${node.root}${s}${node.model}` : `event${s}${node.root}${s}${node.model}${s}${node.event.id}`;
}

export function historyTreeItem(node: HistoryNode | EventNode, item: vscode.TreeItem): vscode.TreeItem {
	if (node.kind === 'history') {
		item.label = 'History';
		item.description = node.latest;
		item.iconPath = new vscode.ThemeIcon('history');
		item.collapsibleState = vscode.TreeItemCollapsibleState.Collapsed;
		item.contextValue = 'history';
		item.tooltip = 'Alias moves, approvals, tags, notes and new versions, newest first. Right-click › Show Events for the whole trail.';
		return item;
	}
	const e = node.event;
	item.label = node.text;
	item.description = [`${e.by.name}`, formatAge(e.at), e.note ? e.note.split('\n')[0] : ''].filter(Boolean).join(' · ');
	item.iconPath = new vscode.ThemeIcon(eventIcon(e));
	item.contextValue = `event.${e.type}`;
	const md = new vscode.MarkdownString();
	md.appendMarkdown(`**${escapeMarkdown(node.text)}**  \n`);
	md.appendText(`${e.at.replace('T', ' ').slice(0, 19)} UTC by ${e.by.name}${e.by.email ? ` <${e.by.email}>` : ''}`);
	if (e.note) {
		md.appendMarkdown('\n\n');
		md.appendText(e.note);
	}
	item.tooltip = md;
	item.command = { command: COMMANDS.showEvents, title: 'Show Events', arguments: [{ root: node.root, model: node.model }] };
	return item;
}
