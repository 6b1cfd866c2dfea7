// Text from repository content (file names, manifest fields, event notes, YAML values, git output,
// arguments) shown to a person. A terminal obeys escape sequences (ESC [2J clears it, OSC 0 sets
// its title, OSC 8 makes links, OSC 52 writes the clipboard), so every control character is shown
// as a visible escape instead of being sent. The CLI passes all its human output through
// escapeControls once (src/cli/main.ts); the extension uses oneLine for labels and quick picks.

// C0 controls except \n, DEL, C1 controls, and the bidirectional overrides/isolates that reorder
// how text reads ("Trojan Source"). \n is kept by escapeControls: the CLI's own line breaks.
// Also the characters that show as nothing, so that two names look the same (`prod` and
// `pro\u200bd`): the zero-width space, soft hyphen, word joiner and invisible operators, the
// deprecated format controls, the byte-order mark, Hangul fillers, Mongolian variation selectors,
// interlinear annotation marks, Unicode tags (U+E0000–E007F, "ASCII smuggling"), the line and
// paragraph separators (a break in some renderers) and lone surrogates (no character at all; a
// terminal shows U+FFFD). The joiners U+200C/D and the variation selectors U+FE00–FE0F and
// U+E0100–E01EF stay: scripts, CJK names and emoji need them.
const SHOWN_AS_ESCAPES =
	'\\u007f-\\u009f\\u00ad\\u034f\\u061c\\u115f\\u1160\\u17b4\\u17b5\\u180b-\\u180f\\u200b\\u200e\\u200f\\u2028-\\u202e\\u2060-\\u2064\\u2066-\\u206f\\u3164\\ufeff\\uffa0\\ufff9-\\ufffb\\u{e0000}-\\u{e007f}';
const CONTROLS = new RegExp(`[\\u0000-\\u0009\\u000b-\\u001f${SHOWN_AS_ESCAPES}]|\\p{Cs}`, 'gu');
const CONTROLS_AND_NEWLINE = new RegExp(`[\\u0000-\\u001f${SHOWN_AS_ESCAPES}]|\\p{Cs}`, 'gu');

const NAMED: Record<string, string> = { '\t': '\\t', '\n': '\\n', '\r': '\\r', '\u001b': '\\e' };

function visible(ch: string): string {
	const named = NAMED[ch];
	if (named) return named;
	const code = ch.codePointAt(0)!;
	return code < 0x100 ? `\\x${code.toString(16).padStart(2, '0')}` : code > 0xffff ? `\\u{${code.toString(16)}}` : `\\u${code.toString(16).padStart(4, '0')}`;
}

/** The text with every control character but `\n` written as a visible escape (`\e`, `\x07`, `\u009b`). */
export function escapeControls(text: string): string {
	return text.replace(CONTROLS, visible);
}

/** Like escapeControls, and line breaks too become `\n`: for one table cell, label or list item. */
export function oneLine(text: string): string {
	return text.replace(CONTROLS_AND_NEWLINE, visible);
}

// JSON.stringify escapes C0 but writes DEL, C1 and bidi controls raw; inside a JSON string they may
// be written as \uXXXX with the same meaning, and outside strings JSON text never holds them.
// The invisible characters too (same value, but `jq -r` and a log viewer then show them). Tags are
// astral: written as their surrogate pair, as JSON requires. (Lone surrogates JSON.stringify escapes.)
const JSON_RAW = new RegExp(`[${SHOWN_AS_ESCAPES}]`, 'gu');

/** A JSON text with the control characters JSON.stringify leaves raw written as `\uXXXX` escapes (same value). */
export function escapeJsonText(json: string): string {
	const unit = (ch: string, i: number) => `\\u${ch.charCodeAt(i).toString(16).padStart(4, '0')}`;
	return json.replace(JSON_RAW, (ch) => (ch.length === 2 ? unit(ch, 0) + unit(ch, 1) : unit(ch, 0)));
}
