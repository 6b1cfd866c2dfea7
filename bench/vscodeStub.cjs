// A stand-in for the `vscode` module, used ONLY by the benchmark's activation timing (bench/bench.ts),
// which loads dist/extension.js under plain Node. Every property is a callable, constructible no-op;
// there is no workspace folder, so activation opens no registry. Tests never use this: they run in a
// real VS Code (test/host).
'use strict';

function stub(name, thenable = false) {
	const target = function () {};
	return new Proxy(target, {
		get(_t, prop) {
			// Call results (executeCommand, showInformationMessage…) are thenables that resolve to nothing.
			if (prop === 'then') return thenable ? (resolve) => resolve(undefined) : undefined;
			if (prop === Symbol.toPrimitive) return () => name;
			if (prop === Symbol.iterator) return function* () {};
			if (prop === 'workspaceFolders') return undefined;
			if (prop === 'length') return 0;
			return stub(`${name}.${String(prop)}`);
		},
		apply() {
			return stub(`${name}()`, true);
		},
		set() {
			return true;
		},
		defineProperty() {
			return true;
		},
		construct() {
			return stub(`new ${name}`);
		},
	});
}

// Real own keys for the API's top-level names (from @types/vscode 1.95+): bundlers copy a CommonJS
// module's own keys into the namespace object (`import * as vscode`), so a bare Proxy would look empty.
const NAMES = [
	'BranchCoverage', 'Breakpoint', 'CallHierarchyIncomingCall', 'CallHierarchyItem',
	'CallHierarchyOutgoingCall', 'CancellationError', 'CancellationTokenSource', 'ChatRequestTurn',
	'ChatResponseAnchorPart', 'ChatResponseCommandButtonPart', 'ChatResponseFileTreePart',
	'ChatResponseMarkdownPart', 'ChatResponseProgressPart', 'ChatResponseReferencePart', 'ChatResponseTurn',
	'ChatResultFeedbackKind', 'CodeAction', 'CodeActionKind', 'CodeActionTriggerKind', 'CodeLens', 'Color',
	'ColorInformation', 'ColorPresentation', 'ColorThemeKind', 'CommentMode', 'CommentThreadCollapsibleState',
	'CommentThreadState', 'CompletionItem', 'CompletionItemKind', 'CompletionItemTag', 'CompletionList',
	'CompletionTriggerKind', 'ConfigurationTarget', 'CustomExecution', 'DataTransfer', 'DataTransferItem',
	'DebugAdapterExecutable', 'DebugAdapterInlineImplementation', 'DebugAdapterNamedPipeServer',
	'DebugAdapterServer', 'DebugConfigurationProviderTriggerKind', 'DebugConsoleMode', 'DebugStackFrame',
	'DebugThread', 'DeclarationCoverage', 'DecorationRangeBehavior', 'Diagnostic',
	'DiagnosticRelatedInformation', 'DiagnosticSeverity', 'DiagnosticTag', 'Disposable', 'DocumentDropEdit',
	'DocumentHighlight', 'DocumentHighlightKind', 'DocumentLink', 'DocumentSymbol', 'EndOfLine',
	'EnvironmentVariableMutatorType', 'EvaluatableExpression', 'EventEmitter', 'ExtensionKind', 'ExtensionMode',
	'FileChangeType', 'FileCoverage', 'FileDecoration', 'FilePermission', 'FileSystemError', 'FileType',
	'FoldingRange', 'FoldingRangeKind', 'FunctionBreakpoint', 'Hover', 'IndentAction', 'InlayHint',
	'InlayHintKind', 'InlayHintLabelPart', 'InlineCompletionItem', 'InlineCompletionList',
	'InlineCompletionTriggerKind', 'InlineValueEvaluatableExpression', 'InlineValueText',
	'InlineValueVariableLookup', 'InputBoxValidationSeverity', 'LanguageModelChatMessage',
	'LanguageModelChatMessageRole', 'LanguageModelChatToolMode', 'LanguageModelError',
	'LanguageModelPromptTsxPart', 'LanguageModelTextPart', 'LanguageModelToolCallPart',
	'LanguageModelToolResult', 'LanguageModelToolResultPart', 'LanguageStatusSeverity', 'LinkedEditingRanges',
	'Location', 'LogLevel', 'MarkdownString', 'NotebookCellData', 'NotebookCellKind', 'NotebookCellOutput',
	'NotebookCellOutputItem', 'NotebookCellStatusBarAlignment', 'NotebookCellStatusBarItem',
	'NotebookControllerAffinity', 'NotebookData', 'NotebookEdit', 'NotebookEditorRevealType', 'NotebookRange',
	'OverviewRulerLane', 'ParameterInformation', 'Position', 'ProcessExecution', 'ProgressLocation',
	'QuickInputButtons', 'QuickPickItemKind', 'Range', 'RelativePattern', 'Selection', 'SelectionRange',
	'SemanticTokens', 'SemanticTokensBuilder', 'SemanticTokensEdit', 'SemanticTokensEdits',
	'SemanticTokensLegend', 'ShellExecution', 'ShellQuoting', 'SignatureHelp', 'SignatureHelpTriggerKind',
	'SignatureInformation', 'SnippetString', 'SnippetTextEdit', 'SourceBreakpoint', 'StatementCoverage',
	'StatusBarAlignment', 'SymbolInformation', 'SymbolKind', 'SymbolTag', 'SyntaxTokenType', 'TabInputCustom',
	'TabInputNotebook', 'TabInputNotebookDiff', 'TabInputTerminal', 'TabInputText', 'TabInputTextDiff',
	'TabInputWebview', 'Task', 'TaskGroup', 'TaskPanelKind', 'TaskRevealKind', 'TaskScope',
	'TelemetryTrustedValue', 'TerminalExitReason', 'TerminalLink', 'TerminalLocation', 'TerminalProfile',
	'TestCoverageCount', 'TestMessage', 'TestMessageStackFrame', 'TestRunProfileKind', 'TestRunRequest',
	'TestTag', 'TextDocumentChangeReason', 'TextDocumentSaveReason', 'TextEdit', 'TextEditorCursorStyle',
	'TextEditorLineNumbersStyle', 'TextEditorRevealType', 'TextEditorSelectionChangeKind', 'ThemeColor',
	'ThemeIcon', 'TreeItem', 'TreeItemCheckboxState', 'TreeItemCollapsibleState', 'TypeHierarchyItem', 'UIKind',
	'Uri', 'ViewColumn', 'WorkspaceEdit', 'authentication', 'chat', 'commands', 'debug', 'env', 'extensions',
	'l10n', 'languages', 'lm', 'notebooks', 'scm', 'tasks', 'tests', 'version', 'window', 'workspace',
];
const api = {};
for (const name of NAMES) api[name] = stub(`vscode.${name}`);
module.exports = api;
