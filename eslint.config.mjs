import tseslint from 'typescript-eslint';

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
		// Spreading an array into arguments (push(...x), Math.max(...x)) overflows the stack past ~100,000
		// elements: user-sized arrays go through src/core/bulkArrays.ts. Fixed-size spreads say why they are safe.
		files: ['src/**/*.ts'],
		rules: {
			'no-restricted-syntax': [
				'error',
				{ selector: 'CallExpression > SpreadElement', message: 'No spread into arguments: use appendAll/maxOf/minOf from src/core/bulkArrays.ts (user-sized arrays overflow the stack).' },
				{ selector: 'NewExpression > SpreadElement', message: 'No spread into arguments: user-sized arrays overflow the stack.' },
			],
			// A function longer than a screenful does several things: split it into named steps (issue 17).
			// Tests are left out: a describe() block is a list of cases, not a function to read.
			'max-lines-per-function': ['error', { max: 100, skipBlankLines: true, skipComments: true }],
		},
	},
	{
		// The core runs under plain Node (CLI, tests, benchmarks): it must never depend on the editor.
		files: ['src/core/**/*.ts', 'src/cli/**/*.ts', 'src/webview/**/*.ts'],
		rules: {
			'no-restricted-imports': ['error', { paths: [{ name: 'vscode', message: 'src/core, src/cli and src/webview run without VS Code; only src/extension may import vscode.' }] }],
		},
	},
);
