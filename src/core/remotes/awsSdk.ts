// The only module that imports the AWS SDK. esbuild bundles it on its own into dist/remotes.js and
// s3Remote loads it on first use, so the CLI and the extension do not parse ~1 MB of SDK at startup.
export { DeleteObjectCommand, GetObjectCommand, HeadObjectCommand, ListObjectsV2Command, S3Client } from '@aws-sdk/client-s3';
export { Upload } from '@aws-sdk/lib-storage';
