#!/usr/bin/env bash
# verify-generate.sh DIR... -- COMMAND...
#
# Snapshots DIRs, runs COMMAND (the code generator), and fails if COMMAND changed, added or
# removed any file in them: the generated code checked in was stale.
#
# It compares against the work tree as it was, not against HEAD, so it also catches a
# generated file that was never added to git (`git diff` alone ignores untracked files) and
# it does not fail on hand edits that are merely uncommitted.
set -euo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/.."

dirs=()
while (($#)) && [[ "$1" != "--" ]]; do
	dirs+=("$1")
	shift
done
if (($# < 2)) || ((${#dirs[@]} == 0)); then
	echo "usage: $0 DIR... -- COMMAND..." >&2
	exit 2
fi
shift # the --

snapshot="$(mktemp -d)"
trap 'rm -rf "$snapshot"' EXIT

for dir in "${dirs[@]}"; do
	mkdir -p "$snapshot/before/$dir"
	if [[ -d "$dir" ]]; then
		cp -R "$dir/." "$snapshot/before/$dir/"
	fi
done

"$@"

stale=0
for dir in "${dirs[@]}"; do
	after="$dir"
	if [[ ! -d "$dir" ]]; then
		after="$snapshot/absent/$dir"
		mkdir -p "$after"
	fi
	if ! git diff --no-index --exit-code --stat -- "$snapshot/before/$dir" "$after"; then
		stale=1
	fi
done

if ((stale)); then
	echo "verify-generate: generated files under ${dirs[*]} were stale." >&2
	echo "verify-generate: they have now been regenerated; review the diff and commit it (make generate)." >&2
	exit 1
fi
echo "verify-generate: generated files are up to date"
