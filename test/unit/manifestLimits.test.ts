// Manifest size limits (issue 20 item 3): a snapshot never writes a manifest it could not read back,
// and a manifest not in the canonical form is refused before the YAML library sees it.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { LedgerError } from '../../src/core/errors';
import { MAX_MANIFEST_BYTES, MAX_NONCANONICAL_MANIFEST_BYTES } from '../../src/core/store/boundedRead';
import { parseManifest } from '../../src/core/store/manifest';
import { refuseOversizedManifest } from '../../src/core/snapshot/snapshot';

describe('manifest limits', () => {
	test('a snapshot refuses to write a manifest over the limit, naming the model, its size and the fix', () => {
		refuseOversizedManifest('big', 'x'.repeat(MAX_MANIFEST_BYTES), 10);
		assert.throws(
			() => refuseOversizedManifest('big', 'x'.repeat(MAX_MANIFEST_BYTES + 1), 61_000),
			(err: unknown) => err instanceof LedgerError && err.code === 'FILE_TOO_LARGE' && /big's manifest would be 16 MiB \(61,000 files/.test(err.message) && /no version was created/.test(err.message) && /Split big into smaller models/.test(err.fix ?? ''),
		);
	});

	test('a non-canonical manifest over 1 MiB is suspect without being parsed; a small one still parses', () => {
		const head = '# hand-written\nschema: 1\nmodel: m\nnumber: 1\nlabel: x\ncreatedAt: "2026-01-01T00:00:00Z"\nartifacts: []\n';
		assert.equal(parseManifest(head, 'small.yaml').model, 'm');
		const big = head + 'params:\n' + Array.from({ length: 80_000 }, (_, i) => `  k${i}: ${i}`).join('\n') + '\n';
		assert.ok(big.length > MAX_NONCANONICAL_MANIFEST_BYTES);
		const started = Date.now();
		assert.throws(() => parseManifest(big, 'big.yaml'), (err: unknown) => err instanceof LedgerError && err.code === 'SUSPECT_MANIFEST' && /not in the canonical form Model Ledger writes and is 1\.\d MiB/.test(err.message));
		assert.ok(Date.now() - started < 500, 'refused before parsing');
	});
});
