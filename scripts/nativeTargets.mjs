// VS Code's platform targets and the better-sqlite3 prebuilt binary each one ships, and a reader of
// a binary's header that says what it is built for. Used by scripts/package.mjs to refuse a VSIX whose
// binary does not match its target, and by the packaging tests.
import { readFileSync } from 'node:fs';

/**
 * vsce `--target` -> better-sqlite3's prebuilds/<name>.node, and what that file must be:
 * executable format, CPU, and for Linux the C library (Alpine is musl).
 */
export const TARGETS = {
	'linux-x64': { prebuild: 'linux-x64', format: 'ELF', machine: 'x86-64', libc: 'glibc' },
	'linux-arm64': { prebuild: 'linux-arm64', format: 'ELF', machine: 'arm64', libc: 'glibc' },
	'alpine-x64': { prebuild: 'linuxmusl-x64', format: 'ELF', machine: 'x86-64', libc: 'musl' },
	'alpine-arm64': { prebuild: 'linuxmusl-arm64', format: 'ELF', machine: 'arm64', libc: 'musl' },
	'darwin-x64': { prebuild: 'darwin-x64', format: 'Mach-O', machine: 'x86-64' },
	'darwin-arm64': { prebuild: 'darwin-arm64', format: 'Mach-O', machine: 'arm64' },
	'win32-x64': { prebuild: 'win32-x64', format: 'PE', machine: 'x86-64' },
	'win32-arm64': { prebuild: 'win32-arm64', format: 'PE', machine: 'arm64' },
};

/** The target of the machine running this (what `npm run package` builds without --target). */
export function currentTarget() {
	const arch = process.arch;
	if (process.platform !== 'linux') return `${process.platform}-${arch}`;
	const report = process.report.getReport();
	return `${report.header.glibcVersionRuntime ? 'linux' : 'alpine'}-${arch}`;
}

const ELF_MACHINES = { 0x3e: 'x86-64', 0xb7: 'arm64', 0x03: 'x86', 0x28: 'arm' };
const MACHO_CPUS = { 0x01000007: 'x86-64', 0x0100000c: 'arm64' };
const PE_MACHINES = { 0x8664: 'x86-64', 0xaa64: 'arm64', 0x014c: 'x86' };

/**
 * What a native addon is built for, from its header: { format, machine, libc?, napi }. `napi` is
 * whether it carries Node-API's entry point (napi_register_module_v1), i.e. loads in any Node-API
 * runtime instead of one NODE_MODULE_VERSION.
 */
export function describeBinary(file) {
	const bytes = readFileSync(file);
	const napi = bytes.includes('napi_register_module_v1');
	if (bytes.readUInt32BE(0) === 0x7f454c46) {
		const machine = ELF_MACHINES[bytes.readUInt16LE(18)] ?? `ELF machine 0x${bytes.readUInt16LE(18).toString(16)}`;
		const libc = bytes.includes('libc.musl-') ? 'musl' : bytes.includes('libc.so.6') ? 'glibc' : 'unknown';
		return { format: 'ELF', machine, libc, napi };
	}
	if (bytes.readUInt32LE(0) === 0xfeedfacf) {
		return { format: 'Mach-O', machine: MACHO_CPUS[bytes.readUInt32LE(4)] ?? `Mach-O CPU 0x${bytes.readUInt32LE(4).toString(16)}`, napi };
	}
	if (bytes.toString('latin1', 0, 2) === 'MZ') {
		const pe = bytes.readUInt32LE(0x3c);
		if (bytes.toString('latin1', pe, pe + 4) === 'PE\0\0') {
			return { format: 'PE', machine: PE_MACHINES[bytes.readUInt16LE(pe + 4)] ?? `PE machine 0x${bytes.readUInt16LE(pe + 4).toString(16)}`, napi };
		}
	}
	return { format: 'unknown', machine: 'unknown', napi };
}

/** "ELF x86-64 glibc, Node-API" */
export function formatBinary(info) {
	return `${info.format} ${info.machine}${info.libc ? ` ${info.libc}` : ''}, ${info.napi ? 'Node-API (napi_register_module_v1)' : 'NOT Node-API'}`;
}

/** Problems with `info` as the binary of `target` (empty when it matches). */
export function binaryMismatches(target, info) {
	const want = TARGETS[target];
	const problems = [];
	if (info.format !== want.format) problems.push(`format ${info.format}, ${target} needs ${want.format}`);
	if (info.machine !== want.machine) problems.push(`CPU ${info.machine}, ${target} needs ${want.machine}`);
	if (want.libc && info.libc !== want.libc) problems.push(`C library ${info.libc}, ${target} needs ${want.libc}`);
	if (!info.napi) problems.push('no napi_register_module_v1: not a Node-API addon, so it would load in one Node ABI only');
	return problems;
}
