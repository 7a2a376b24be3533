#!/usr/bin/env bash
# fuzz.sh [FUZZTIME]: run every Go fuzz target in the module for FUZZTIME (default 30s) each.
#
# `go test -fuzz` accepts one package and one target at a time, so the targets are found
# with `go test -list '^Fuzz' ./...` and run one by one. New crashers are written to the
# package's testdata/fuzz/ directory (which is committed: it becomes a regression seed).
set -euo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/.."

fuzztime="${1:-30s}"

# `go test -list` prints the matching names of a package, then a line
# "ok  <package> <duration>"; packages without tests print "?   <package> [no test files]".
listing="$(go test -list '^Fuzz' ./...)"

targets=()
names=()
while IFS= read -r line; do
	case "$line" in
	Fuzz*) names+=("$line") ;;
	ok*)
		pkg="$(awk '{print $2}' <<<"$line")"
		for name in "${names[@]}"; do
			targets+=("$pkg $name")
		done
		names=()
		;;
	*) names=() ;;
	esac
done <<<"$listing"

if ((${#targets[@]} == 0)); then
	echo "fuzz: no Fuzz targets found"
	exit 0
fi

for target in "${targets[@]}"; do
	read -r pkg name <<<"$target"
	echo "fuzz: $pkg $name for $fuzztime"
	go test -run '^$' -fuzz "^${name}\$" -fuzztime "$fuzztime" -fuzzminimizetime 2s "$pkg"
done
echo "fuzz: ${#targets[@]} target(s) ran for $fuzztime each without a failure"
