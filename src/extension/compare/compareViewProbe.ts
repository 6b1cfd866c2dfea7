// Test-only: what the host tests read from a compare panel and press in its page. Used only under
// `if (__TEST_HOOKS__)` (see src/testHooks.d.ts), so the shipped bundles carry none of it: no
// `modelLedger.compareView.test` command and no `rendered`/`click`/`clicked` messages
// (test/packaging/vsix.test.mjs checks the VSIX). The host tests run a build with it compiled in.
import * as vscode from 'vscode';
import type { ClickTarget, PageMessage, RenderReport, TestHostMessage } from '../../webview/protocol';

/** Not in the command table or package.json: it exists only in the test build. */
export const COMPARE_VIEW_TEST_COMMAND = 'modelLedger.compareView.test';

export type CompareTestRequest = { action: 'state' } | { action: 'click'; target: ClickTarget };

export interface CompareTestState {
	title: string | undefined;
	report: RenderReport | undefined;
	reports: number;
	lastOpened: { path: string; left?: string; right?: string } | undefined;
	/** The last text Copy as Markdown put on the clipboard. */
	lastCopied: string | undefined;
	/** How many times the panel rebuilt its comparison (a save of a tracked file refreshes a working-tree compare). */
	loads: number;
}

/** One panel's test view: what its page last rendered, and presses waiting for the page's answer. */
export class PanelProbe {
	report: RenderReport | undefined;
	reports = 0;
	private readonly clickWaiters: Array<(found: boolean) => void> = [];

	constructor(private readonly webview: vscode.Webview) {}

	/** Takes the page's test messages; false for every other message (the panel handles those). */
	receive(message: PageMessage): boolean {
		if (message.type === 'rendered') {
			this.report = message.report;
			this.reports++;
			return true;
		}
		if (message.type === 'clicked') {
			this.clickWaiters.shift()?.(message.found);
			return true;
		}
		return false;
	}

	/** Presses something in the page through its own click handler; resolves whether it was found. */
	click(target: ClickTarget, ready: boolean): Promise<boolean> {
		if (!ready) return Promise.resolve(false);
		return new Promise((resolve) => {
			this.clickWaiters.push(resolve);
			void this.webview.postMessage({ type: 'click', target } satisfies TestHostMessage);
		});
	}

	/** A hidden page is torn down: presses it will never answer resolve as not found. */
	reset(): void {
		this.clickWaiters.splice(0).forEach((resolve) => resolve(false));
	}
}

/** What the test command reads of the active panel. */
export interface ProbedPanel {
	readonly panel: vscode.WebviewPanel;
	readonly probe: PanelProbe | undefined;
	readonly ready: boolean;
	readonly lastOpened: CompareTestState['lastOpened'];
	readonly lastCopied: string | undefined;
	readonly loads: number;
}

/** Registers the test command over whichever panel was active last. */
export function registerCompareViewTestCommand(active: () => ProbedPanel | undefined): vscode.Disposable {
	return vscode.commands.registerCommand(COMPARE_VIEW_TEST_COMMAND, async (request: CompareTestRequest): Promise<CompareTestState | boolean> => {
		const panel = active();
		if (request?.action === 'click') return panel?.probe ? panel.probe.click(request.target, panel.ready) : false;
		return { title: panel?.panel.title, report: panel?.probe?.report, reports: panel?.probe?.reports ?? 0, lastOpened: panel?.lastOpened, lastCopied: panel?.lastCopied, loads: panel?.loads ?? 0 };
	});
}
