// Reading a VSIX (a zip): its entries, and unpacking it into a folder laid out as VS Code installs it.
// Used by scripts/package.mjs (to check what went in), the host runner (which tests the unpacked
// VSIX) and the packaging tests.
import { createWriteStream, mkdirSync } from 'node:fs';
import { dirname, join, normalize, sep } from 'node:path';
import { pipeline } from 'node:stream/promises';
import yauzl from 'yauzl';

function open(file) {
	return new Promise((resolve, reject) => yauzl.open(file, { lazyEntries: true }, (err, zip) => (err ? reject(err) : resolve(zip))));
}

/** Calls `onEntry(entry, zip)` for each entry in order (awaiting it), then resolves. */
async function eachEntry(file, onEntry) {
	const zip = await open(file);
	try {
		await new Promise((resolve, reject) => {
			zip.on('entry', (entry) => Promise.resolve(onEntry(entry, zip)).then(() => zip.readEntry(), reject));
			zip.on('end', resolve);
			zip.on('error', reject);
			zip.readEntry();
		});
	} finally {
		zip.close();
	}
}

/** The file names in a VSIX (`extension/package.json`, `extension.vsixmanifest`, …). */
export async function vsixEntries(file) {
	const names = [];
	await eachEntry(file, (entry) => {
		if (!entry.fileName.endsWith('/')) names.push(entry.fileName);
	});
	return names;
}

/**
 * Unpacks the VSIX's `extension/` folder into `targetDir`: what VS Code puts in its extensions
 * folder when it installs the VSIX. Returns targetDir.
 */
export async function unpackVsix(file, targetDir) {
	await eachEntry(file, async (entry, zip) => {
		if (!entry.fileName.startsWith('extension/') || entry.fileName.endsWith('/')) return;
		const rel = normalize(entry.fileName.slice('extension/'.length));
		if (rel.startsWith('..') || rel.startsWith(sep)) throw new Error(`${file}: entry ${entry.fileName} points outside the extension folder`);
		const target = join(targetDir, rel);
		mkdirSync(dirname(target), { recursive: true });
		const stream = await new Promise((resolve, reject) => zip.openReadStream(entry, (err, s) => (err ? reject(err) : resolve(s))));
		await pipeline(stream, createWriteStream(target));
	});
	return targetDir;
}
