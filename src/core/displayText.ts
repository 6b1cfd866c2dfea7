// Text from repository content (file names, manifest fields, event notes, YAML values, git output,
// arguments) shown to a person. A terminal obeys escape sequences (ESC [2J clears it, OSC 0 sets
// its title, OSC 8 makes links, OSC 52 writes the clipboard), so every control character is shown
// as a visible escape instead of being sent. The CLI passes all its human output through
// escapeControls once (src/cli/main.ts); the extension uses oneLine for labels and quick picks.

// C0 controls except \n, DEL, C1 controls, the bidirectional overrides/isolates that reorder how
// text reads ("Trojan Source"), the invisible zero-width space, word joiner and byte-order mark (two
// names or labels that look alike but differ), and the line/paragraph separators U+2028/9 (a break
// in some renderers). Joiners U+200C/D stay: scripts and emoji need them. \n is kept by
// escapeControls: the CLI's own line breaks.
const CONTROLS = /[\u0000-\u0009\u000b-\u001f\u007f-\u009f\u061c\u200b\u200e\u200f\u2028\u2029\u202a-\u202e\u2060\u2066-\u2069\ufeff]/g;
const CONTROLS_AND_NEWLINE = /[\u0000-\u001f\u007f-\u009f\u061c\u200b\u200e\u200f\u2028\u2029\u202a-\u202e\u2060\u2066-\u2069\ufeff]/g;

const NAMED: Record<string, string> = { '\t': '\\t', '\n': '\\n', '\r': '\\r', '\u001b': '\\e' };

function visible(ch: string): string {
	const named = NAMED[ch];
	if (named) return named;
	const code = ch.charCodeAt(0);
	return code < 0x100 ? `\\x${code.toString(16).padStart(2, '0')}` : `\\u${code.toString(16).padStart(4, '0')}`;
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
const JSON_RAW = /[\u007f-\u009f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069\u2028\u2029]/g;

/** A JSON text with the control characters JSON.stringify leaves raw written as `\uXXXX` escapes (same value). */
export function escapeJsonText(json: string): string {
	return json.replace(JSON_RAW, (ch) => `\\u${ch.charCodeAt(0).toString(16).padStart(4, '0')}`);
}
