#!/usr/bin/env bash
# Makes sure the system packages that `npm test` and `npm start` need are present.
# On Debian as root it installs what is missing with apt-get; anywhere else it prints exactly what
# to install and exits non-zero, so a missing package never surfaces later as a cryptic build error.
set -euo pipefail

# command that must exist -> Debian package that provides it
declare -A needed_commands=(
	[chromium]=chromium      # headless browser that drives VS Code's web workbench in host tests
	[git]=git                # workspace lineage; the test workspace is a git repo
	[make]=make              # node-gyp: code-server's native modules build from source (host tests only)
	[g++]=g++
	[python3]=python3
	[pkg-config]=pkg-config
)
# header file that must exist -> Debian package (code-server's `kerberos` module builds against it)
declare -A needed_files=(
	[/usr/include/gssapi/gssapi.h]=libkrb5-dev
)

missing=()
for cmd in "${!needed_commands[@]}"; do
	command -v "$cmd" >/dev/null 2>&1 || missing+=("${needed_commands[$cmd]}")
done
for file in "${!needed_files[@]}"; do
	[ -e "$file" ] || missing+=("${needed_files[$file]}")
done

if [ ${#missing[@]} -eq 0 ]; then
	exit 0
fi

if [ "$(id -u)" = 0 ] && [ -r /etc/debian_version ] && command -v apt-get >/dev/null 2>&1; then
	echo "system-deps: installing missing Debian packages: ${missing[*]}"
	export DEBIAN_FRONTEND=noninteractive
	apt-get update -qq
	apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
	echo "system-deps: installed ${missing[*]}"
	exit 0
fi

cat >&2 <<MSG
Model Ledger's tests and demo need these system packages, which are missing: ${missing[*]}
Install them, then run the command again. On Debian/Ubuntu:
    sudo apt-get update && sudo apt-get install -y ${missing[*]}
Elsewhere install the equivalents: Chromium (as /usr/bin/chromium, or set CHROMIUM_PATH),
a C++ toolchain with make and python3 (for node-gyp), pkg-config, git, and the Kerberos
development headers (gssapi.h; e.g. krb5-devel on Fedora, krb5 on Homebrew).
MSG
exit 1
