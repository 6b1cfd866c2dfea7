// Terminal tables (issue 15, items 15 and 17) and the escaping of control characters (issue 20, item 5).
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { renderTable } from '../../src/cli/format';
import { escapeControls, escapeJsonText, oneLine } from '../../src/core/displayText';
import { formatNumber, formatNumberColumn, plainDecimal } from '../../src/core/numberText';
import { appendAll, maxOf, minOf } from '../../src/core/bulkArrays';

// A real chat_template (Zephyr's, from alignment-handbook recipes), 545+ characters over several lines.
const CHAT_TEMPLATE =
	"{% for message in messages %}\n{% if message['role'] == 'user' %}\n{{ '<|user|>\n' + message['content'] + eos_token }}\n{% elif message['role'] == 'system' %}\n{{ '<|system|>\n' + message['content'] + eos_token }}\n{% elif message['role'] == 'assistant' %}\n{{ '<|assistant|>\n'  + message['content'] + eos_token }}\n{% endif %}\n{% if loop.last and add_generation_prompt %}\n{{ '<|assistant|>' }}\n{% endif %}\n{% endfor %}".repeat(2);

describe('tables (issue 15.15): newlines escaped, long cells cut with … at the width, columns readable', () => {
	test('a multi-line value is one escaped line and no row is wider than the width', () => {
		const text = renderTable(['PATH', 'PARAM', 'v1', 'v2', ''], [
			['recipes/zephyr-7b-beta/sft/config_full.yaml', 'chat_template', CHAT_TEMPLATE, CHAT_TEMPLATE + ' ', ''],
			['recipes/zephyr-7b-beta/sft/config_full.yaml', 'learning_rate', 2e-5, 1e-5, ''],
		], 100);
		const lines = text.split('\n');
		assert.equal(lines.length, 3, text);
		for (const line of lines) assert.ok(line.length <= 100, `${line.length} > 100: ${line}`);
		assert.match(lines[1], /…/);
		const wide = renderTable(['PARAM', 'v1'], [['chat_template', CHAT_TEMPLATE]], 10_000).split('\n');
		assert.equal(wide.length, 2);
		assert.match(wide[1], /\{% for message in messages %\}\\n\{% if/);
		// Short columns are not cut; the learning-rate row keeps its key whole.
		assert.match(lines[2], /learning_rate/);
		assert.match(lines[2], /0\.00002 +0\.00001/);
	});

	test('a table that fits is left alone, and a narrow terminal still shows every column', () => {
		assert.equal(renderTable(['A', 'B'], [['x', 'y']], 100), 'A  B\nx  y');
		const narrow = renderTable(['MODEL', 'MESSAGE'], [['support-bot', 'a'.repeat(300)]], 40).split('\n');
		for (const line of narrow) assert.ok(line.length <= 40, line);
		assert.match(narrow[1], /^support-bot  a+…$/);
	});

	test('a cut path keeps its file name: two files of one folder stay told apart (promptify show)', () => {
		const folder = 'promptify/prompts/text2text/multiclass_classification/';
		const rows = ['multiclass_classification.jinja', 'multiclass_gpt.jinja'].map((name) => ['prompt', folder + name, 610]);
		const lines = renderTable(['ROLE', 'PATH', 'SIZE'], rows, 60).split('\n');
		for (const line of lines) assert.ok(line.length <= 60, line);
		assert.match(lines[1], /^prompt  promptify\/.*….*\/multiclass_classification\.jinja +610$/);
		assert.match(lines[2], /….*\/multiclass_gpt\.jinja +610$/);
		// A file name longer than the column keeps its end; other columns are still cut at the end.
		const long = renderTable(['PATH', 'MESSAGE'], [['a/' + 'n'.repeat(80) + '.yaml', 'm'.repeat(80)]], 40).split('\n')[1];
		assert.match(long, /^…n+\.yaml  m+…$/);
	});

	test('a table of 300,000 rows renders (no spread of rows into Math.max)', () => {
		const rows = Array.from({ length: 300_000 }, (_, i) => [`per_sample[${i}].pred`, i]);
		const text = renderTable(['KEY', 'VALUE'], rows, 100);
		assert.equal(text.split('\n').length, 300_001);
	});
});

describe('numbers (issue 15.17): one notation per column', () => {
	test('5e-7 next to 0.000001 is written 0.0000005', () => {
		assert.deepEqual(formatNumberColumn([5e-7, 0.000001, 0.8, 1840]), ['0.0000005', '0.000001', '0.8', '1840']);
		const table = renderTable(['KEY', 'VALUE'], [['lr', 5e-7], ['min_lr', 0.000001]], 100);
		assert.doesNotMatch(table, /e-/);
	});

	test('a column with one number too long for plain decimals is all in exponent form', () => {
		assert.deepEqual(formatNumberColumn([1e-30, 0.5, 0]), ['1e-30', '5e-1', '0']);
		assert.equal(plainDecimal(1e21), undefined);
		assert.equal(plainDecimal(123456789012345680000), '123456789012345680000');
		assert.equal(plainDecimal(-1.5e-7), '-0.00000015');
		assert.equal(formatNumber(2e-4), '0.0002');
		assert.equal(formatNumber(Number.NaN), 'NaN');
	});
});

describe('control characters (issue 20.5)', () => {
	test('escapeControls keeps newlines, shows every other control character', () => {
		assert.equal(escapeControls('a\u001b]0;t\u0007b\nc\u009b2J\r\t\u202e'), 'a\\e]0;t\\x07b\nc\\x9b2J\\r\\t\\u202e');
		assert.equal(oneLine('a\nb'), 'a\\nb');
		assert.equal(escapeControls('plain text, ünïcode, emoji 🙂'), 'plain text, ünïcode, emoji 🙂');
	});

	test('invisible characters, tags, separators and lone surrogates are spelled out: two names never look the same', () => {
		assert.equal(escapeControls('pro\u200bd'), 'pro\\u200bd');
		assert.notEqual(oneLine('prod'), oneLine('pro\u200bd'));
		assert.equal(escapeControls('soft\u00adhyphen'), 'soft\\xadhyphen');
		for (const ch of ['\u034f', '\u061c', '\u115f', '\u180e', '\u200b', '\u2028', '\u2029', '\u2060', '\u2064', '\u2066', '\u2069', '\u206f', '\u3164', '\ufeff', '\uffa0', '\ufffb', '\ud800', '\udfff']) {
			assert.equal(escapeControls(`a${ch}b`), `a\\u${ch.charCodeAt(0).toString(16).padStart(4, '0')}b`, `U+${ch.charCodeAt(0).toString(16)}`);
		}
		assert.equal(escapeControls('tag\u{E0041}'), 'tag\\u{e0041}');
		assert.equal(escapeControls('emoji 🙂 and 日本 and é'), 'emoji 🙂 and 日本 and é', 'a surrogate pair is one character, not two lone ones');
		assert.equal(escapeControls('می\u200cخواهم 👩\u200d💻 ❤\ufe0f'), 'می\u200cخواهم 👩\u200d💻 ❤\ufe0f', 'joiners and emoji variation selectors stay');
	});

	test('escapeJsonText leaves the JSON value unchanged', () => {
		const value = { s: 'x\u009b31m\u202e\u0085\u2028y\u200b\ufeff\u{E0041}🙂' };
		const text = escapeJsonText(JSON.stringify(value));
		assert.doesNotMatch(text, /[\u0080-\u009f\u202e\u2028\u200b\ufeff\u{e0041}]/u);
		assert.deepEqual(JSON.parse(text), value);
	});
});

describe('bulk arrays (issue 20.6: no spread of user-sized arrays into arguments)', () => {
	test('appendAll, maxOf and minOf take a million elements', () => {
		const million = Array.from({ length: 1_000_000 }, (_, i) => i);
		assert.equal(appendAll([-1], million).length, 1_000_001);
		assert.equal(maxOf(million), 999_999);
		assert.equal(minOf(million), 0);
		assert.equal(maxOf([], 0), 0);
	});
});
