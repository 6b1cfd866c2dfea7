import tseslint from 'typescript-eslint';

// Spreading an array into arguments (push(...x), Math.max(...x)) overflows the stack past ~100,000
// elements: user-sized arrays go through src/core/bulkArrays.ts. Fixed-size spreads say why they are safe.
const noArgumentSpread = [
	{ selector: 'CallExpression > SpreadElement', message: 'No spread into arguments: use appendAll/maxOf/minOf from src/core/bulkArrays.ts (user-sized arrays overflow the stack).' },
	{ selector: 'NewExpression > SpreadElement', message: 'No spread into arguments: user-sized arrays overflow the stack.' },
];
// index.db is the core's cache: its tables and queries live in src/core (registryIndex.ts and the query
// modules), so the shells ask the core and a schema change stays in one place.
const SQL = String.raw`/\b(SELECT|INSERT|UPDATE|DELETE)\b[\s\S]*\b(FROM|INTO|SET)\b/`;
const noSqlOutsideCore = [
	{ selector: `Literal[value=${SQL}]`, message: 'No SQL outside src/core: add a query to the core (src/core/index/ or the feature\'s query module) and call it.' },
	{ selector: `TemplateElement[value.raw=${SQL}]`, message: 'No SQL outside src/core: add a query to the core (src/core/index/ or the feature\'s query module) and call it.' },
];

// VS Code renders text it is given: `[x](command:…)` becomes a link in notifications and input-box
// prompts, `$(name)` an icon in quick picks. Text from repository content reaches all of them, so the
// extension shows them only through src/extension/userInterface.ts, which escapes both.
const SHOWN = '/^(showInformationMessage|showWarningMessage|showErrorMessage|showQuickPick|createQuickPick|showInputBox|createInputBox|withProgress)$/';
const noRawUserInterface = [
	{ selector: `MemberExpression[object.property.name='window'][property.name=${SHOWN}]`, message: 'Show messages, quick picks and input boxes through src/extension/userInterface.ts (notify, notifyModal, pickOne, pickString, createPicker, askText): it escapes links, icons and control characters from repository content.' },
];

export default tseslint.config(
	{ ignores: ['dist/**', 'out/**', 'node_modules/**', 'examples/**', '**/*.mjs', '**/*.js'] },
	...tseslint.configs.recommended,
	{
		rules: {
			'@typescript-eslint/consistent-type-imports': 'error',
			'@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
		},
	},
	{
		files: ['src/**/*.ts'],
		rules: {
			'no-restricted-syntax': ['error', ...noArgumentSpread],
			// A function longer than a screenful does several things: split it into named steps (issue 17).
			// Tests are left out: a describe() block is a list of cases, not a function to read.
			'max-lines-per-function': ['error', { max: 100, skipBlankLines: true, skipComments: true }],
		},
	},
	{
		files: ['src/cli/**/*.ts', 'src/extension/**/*.ts', 'src/webview/**/*.ts'],
		rules: { 'no-restricted-syntax': ['error', ...noArgumentSpread, ...noSqlOutsideCore] },
	},
	{
		files: ['src/extension/**/*.ts'],
		ignores: ['src/extension/userInterface.ts'],
		rules: { 'no-restricted-syntax': ['error', ...noArgumentSpread, ...noSqlOutsideCore, ...noRawUserInterface] },
	},
	{
		// The core runs under plain Node (CLI, tests, benchmarks): it must never depend on the editor.
		files: ['src/core/**/*.ts', 'src/cli/**/*.ts', 'src/webview/**/*.ts'],
		rules: {
			'no-restricted-imports': ['error', { paths: [{ name: 'vscode', message: 'src/core, src/cli and src/webview run without VS Code; only src/extension may import vscode.' }] }],
		},
	},
);
