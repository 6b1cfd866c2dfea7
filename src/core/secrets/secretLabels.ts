// The secret scan of text that is not a file but is written into manifests and events all the
// same: the snapshot message (-m), the git branch name, the remote URL, file names, and the notes
// and tags of the audit trail. Manifests and events are committed to git, so a token pasted into a
// message is as leaked as one in a config.
import { LedgerError } from '../errors';
import { matchToken, scanLine } from './secretRules';
import type { SecretFinding } from './secretRules';

/** Findings in one piece of free text (each line); `where` names it in messages (`-m message`). */
export function scanLabel(text: string | null | undefined, where: string): SecretFinding[] {
	if (!text) return [];
	const findings: SecretFinding[] = [];
	text.split('\n').forEach((line, i) => {
		const found = scanLine(line, true);
		if (found) findings.push({ path: where, line: i + 1, column: found.column, kind: found.kind });
	});
	return findings;
}

/** Findings in what a snapshot writes besides file contents: its message, the branch name and the file names. */
export function scanSnapshotLabels(message: string | undefined, branch: string | null, paths: string[]): SecretFinding[] {
	const findings = [...scanLabel(message, '-m message'), ...scanLabel(branch, 'git branch')];
	for (const path of new Set(paths)) {
		const found = matchToken(path);
		// A file name is reported under the file's path, so --allow-secrets can allow (and record) that file.
		if (found) findings.push({ path, line: 1, column: 1, kind: `${found.kind} in the file's name (at character ${found.column})` });
	}
	return findings;
}

/** `text` with every secret the detectors find replaced by `[redacted]` (for messages and branch names stored with --allow-secrets). */
export function redactText(text: string): string;
export function redactText(text: string | null): string | null;
export function redactText(text: string | undefined): string | undefined;
export function redactText(text: string | null | undefined): string | null | undefined {
	if (!text) return text;
	return text
		.split('\n')
		.map((line) => {
			for (let i = 0; i < 20; i++) {
				const found = scanLine(line, true);
				if (!found) break;
				line = `${line.slice(0, found.column - 1)}[redacted]${line.slice(found.column - 1 + Math.max(found.length, 1))}`;
			}
			return line;
		})
		.join('\n');
}

/**
 * A remote URL without its user info: `https://user:token@host/repo` → `https://host/repo`. The
 * remote is recorded in every manifest; credentials in it are never wanted there.
 */
export function withoutUrlCredentials(url: string | null): string | null {
	if (!url) return url;
	return url.replace(/^([a-z][a-z0-9+.-]*:\/\/)[^@/]*@/i, '$1');
}

/**
 * Refuses an audit-trail event whose note or tag holds a secret (events are committed, and an
 * event cannot be edited afterwards). There is no override: reword the note.
 */
export function assertNoSecretsInEvent(fields: { note?: string; tag?: string }): void {
	const findings = [...scanLabel(fields.note, 'note'), ...scanLabel(fields.tag, 'tag')];
	if (findings.length === 0) return;
	const first = findings[0];
	throw new LedgerError({
		code: 'SECRET_FOUND',
		message: `Refusing to record the event: its ${first.path} holds a secret (${first.kind}, line ${first.line}, column ${first.column}).`,
		fix: `Remove the secret from the ${first.path} and run the command again; events are committed with the registry and cannot be edited afterwards.`,
	});
}
