// S3 and S3-compatible storage (AWS S3, MinIO, R2, GCS interoperability) through the AWS SDK.
// Credentials come only from the SDK's default chain (AWS_* environment variables, ~/.aws profiles,
// SSO, instance roles): nothing here reads, stores or prints them. The SDK itself (./awsSdk) is
// bundled on its own (dist/remotes.js) and loaded only when an s3:// remote is opened.
import { Readable } from 'node:stream';
import type { S3Client, S3ClientConfig } from '@aws-sdk/client-s3';
import type * as AwsSdk from './awsSdk';
import { cancelled, LedgerError } from '../errors';
import type { RemoteConfig } from '../parse/workspaceConfig';
import { describeRemote, objectKey, objectsPrefix, shaOfKey } from './types';
import type { MultipartOptions, RemoteStore } from './types';

const MIN_PART = 5 * 1024 * 1024;
const DEFAULT_PART = 16 * 1024 * 1024;
/** S3 allows 10,000 parts; stay below so very large objects get bigger parts instead of failing. */
const MAX_PARTS = 9000;

/** An S3 remote for `config` (bucket, prefix, endpoint, region, forcePathStyle). */
export async function createS3Remote(config: RemoteConfig, multipart: MultipartOptions = {}): Promise<RemoteStore> {
	return new S3Remote(config, multipart, await import('./awsSdk'));
}

type Sdk = typeof AwsSdk;

class S3Remote implements RemoteStore {
	private readonly client: S3Client;
	private readonly bucket: string;

	constructor(
		readonly config: RemoteConfig,
		private readonly multipart: MultipartOptions,
		private readonly sdk: Sdk,
	) {
		this.bucket = config.bucket!;
		const options: S3ClientConfig = {};
		const region = config.region ?? process.env.AWS_REGION ?? process.env.AWS_DEFAULT_REGION;
		// A custom endpoint (MinIO, R2, …) rarely cares about the region, but the SDK insists on one.
		if (region) options.region = region;
		else if (config.endpoint) options.region = 'us-east-1';
		if (config.endpoint) {
			options.endpoint = config.endpoint;
			// Newer SDKs add CRC checksums (aws-chunked bodies) that many S3-compatible stores reject;
			// our content is checked by its sha256 on every pull anyway.
			options.requestChecksumCalculation = 'WHEN_REQUIRED';
			options.responseChecksumValidation = 'WHEN_REQUIRED';
		}
		if (config.forcePathStyle !== undefined) options.forcePathStyle = config.forcePathStyle;
		// The SDK warns on every run under Node 20 about its own future releases; ours is bundled and pinned.
		process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
		this.client = new sdk.S3Client(options);
	}

	async list(signal?: AbortSignal): Promise<Map<string, number>> {
		const result = new Map<string, number>();
		const prefix = objectsPrefix(this.config.prefix);
		let token: string | undefined;
		do {
			const page = await this.call(() => this.client.send(new this.sdk.ListObjectsV2Command({ Bucket: this.bucket, Prefix: prefix, ContinuationToken: token }), { abortSignal: signal }));
			for (const item of page.Contents ?? []) {
				const sha = item.Key ? shaOfKey(this.config.prefix, item.Key) : undefined;
				if (sha) result.set(sha, item.Size ?? 0);
			}
			token = page.IsTruncated ? page.NextContinuationToken : undefined;
		} while (token);
		return result;
	}

	async stat(sha256: string, signal?: AbortSignal): Promise<number | undefined> {
		try {
			const head = await this.client.send(new this.sdk.HeadObjectCommand({ Bucket: this.bucket, Key: objectKey(this.config.prefix, sha256) }), { abortSignal: signal });
			return head.ContentLength ?? 0;
		} catch (err) {
			if (isNotFound(err)) return undefined;
			throw this.explain(err);
		}
	}

	async upload(sha256: string, size: number, body: AsyncIterable<Uint8Array> | Iterable<Uint8Array>, signal?: AbortSignal): Promise<void> {
		const partSize = Math.max(MIN_PART, this.multipart.partSize ?? DEFAULT_PART, Math.ceil(size / MAX_PARTS));
		const upload = new this.sdk.Upload({
			client: this.client,
			params: { Bucket: this.bucket, Key: objectKey(this.config.prefix, sha256), Body: Readable.from(body, { objectMode: false }), ContentType: 'application/octet-stream' },
			partSize,
			queueSize: this.multipart.queueSize ?? 4,
			// A failed multipart upload is aborted, so no half object and no orphaned parts stay behind.
			leavePartsOnError: false,
		});
		const onAbort = () => void upload.abort().catch(() => undefined);
		signal?.addEventListener('abort', onAbort, { once: true });
		try {
			await upload.done();
		} catch (err) {
			if (err instanceof LedgerError) throw err;
			if (signal?.aborted) throw cancelled('Transfer');
			throw this.explain(err);
		} finally {
			signal?.removeEventListener('abort', onAbort);
		}
	}

	async download(sha256: string, signal?: AbortSignal): Promise<AsyncIterable<Uint8Array> | undefined> {
		try {
			const got = await this.client.send(new this.sdk.GetObjectCommand({ Bucket: this.bucket, Key: objectKey(this.config.prefix, sha256) }), { abortSignal: signal });
			return got.Body as Readable;
		} catch (err) {
			if (isNotFound(err)) return undefined;
			throw this.explain(err);
		}
	}

	/** Removes one object (tests and repair tooling; push never deletes). */
	async remove(sha256: string): Promise<void> {
		await this.call(() => this.client.send(new this.sdk.DeleteObjectCommand({ Bucket: this.bucket, Key: objectKey(this.config.prefix, sha256) })));
	}

	close(): void {
		this.client.destroy();
	}

	private async call<T>(run: () => Promise<T>): Promise<T> {
		try {
			return await run();
		} catch (err) {
			throw this.explain(err);
		}
	}

	/** SDK errors → one line with a fix. Messages from the SDK never contain secrets; we add none. */
	private explain(err: unknown): LedgerError {
		if (err instanceof LedgerError) return err;
		const e = err as { name?: string; message?: string; code?: string; $metadata?: { httpStatusCode?: number } };
		const where = describeRemote(this.config);
		const name = e.name ?? '';
		const status = e.$metadata?.httpStatusCode;
		if (name === 'CredentialsProviderError' || /credential/i.test(e.message ?? '')) {
			return new LedgerError({
				code: 'REMOTE_AUTH',
				message: `No AWS credentials found for ${where}.`,
				fix: 'Set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY (or AWS_PROFILE for a profile in ~/.aws/credentials); credentials never go in model-ledger.yaml.',
			});
		}
		if (name === 'NoSuchBucket') return new LedgerError({ code: 'REMOTE_NOT_FOUND', message: `Bucket \`${this.bucket}\` of ${where} does not exist.`, fix: 'Create the bucket, or fix the url in model-ledger.yaml.' });
		if (name === 'AccessDenied' || name === 'InvalidAccessKeyId' || name === 'SignatureDoesNotMatch' || status === 403) {
			return new LedgerError({ code: 'REMOTE_AUTH', message: `${where} refused access (${name || status}).`, fix: 'Check that your AWS credentials (environment or profile) may list, read and write the bucket and prefix.' });
		}
		if (/ECONNREFUSED|ENOTFOUND|ETIMEDOUT|EAI_AGAIN|ECONNRESET/.test(`${e.code ?? ''} ${e.message ?? ''}`)) {
			return new LedgerError({ code: 'REMOTE_UNREACHABLE', message: `Cannot reach ${where}: ${e.message}.`, fix: 'Check the network and the `endpoint` in model-ledger.yaml.' });
		}
		if (name === 'Region is missing' || /region is missing/i.test(e.message ?? '')) {
			return new LedgerError({ code: 'REMOTE_CONFIG', message: `No AWS region for ${where}.`, fix: 'Set `region:` on the remote in model-ledger.yaml, or AWS_REGION.' });
		}
		return new LedgerError({ code: 'REMOTE_ERROR', message: `${where}: ${name ? `${name}: ` : ''}${e.message ?? String(err)}`, fix: 'Check the remote settings and your access; retrying re-sends only what is missing.' });
	}
}

function isNotFound(err: unknown): boolean {
	const e = err as { name?: string; $metadata?: { httpStatusCode?: number } };
	return e.name === 'NotFound' || e.name === 'NoSuchKey' || e.$metadata?.httpStatusCode === 404;
}
