#!/usr/bin/env bash
# check-core-purity.sh: fail if core/ reads the wall clock or depends on I/O packages.
#
# core/ is the pure analysis core (see README.md, "Layout"): `now` is a value passed in,
# and it imports nothing from client-go, net/http or the PromQL engine. This script checks:
#   1. no non-test .go file under core/ reads the wall clock or waits on it: time.Now,
#      time.Since, time.Until, metav1.Now, time.Sleep/After/AfterFunc/Tick/NewTimer/NewTicker
#      (calls or method values), nor imports "time" under another name (which would hide
#      such calls from this grep);
#   2. no package under core/ depends, directly or transitively, on k8s.io/client-go/...
#      or github.com/prometheus/prometheus/promql, nor imports net/http (or net/http/...)
#      itself (transitively it cannot be avoided: see below).
# A missing or Go-free core/ passes.
set -euo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/.."

if [[ ! -d core ]] || [[ -z "$(find core -name '*.go' -type f -print -quit)" ]]; then
	echo "check-core-purity: no Go files under core/, nothing to check"
	exit 0
fi

failed=0

# 1. Wall-clock reads and timers. Line comments are stripped first so that prose such as
#    "never calls time.Now" in a doc comment does not trip the check.
clock_re='\btime\.(Now|Since|Until|Sleep|After|AfterFunc|Tick|NewTimer|NewTicker)\b|\bmetav1\.Now\b'
alias_re='^[[:space:]]*(import[[:space:]]+)?([[:alnum:]_]+|\.)[[:space:]]+"time"[[:space:]]*$'
plain_import_re='^[0-9]+:[[:space:]]*(import[[:space:]]+)?((time|_)[[:space:]]+)?"time"[[:space:]]*$'
report() { # report FILE MESSAGE GREP-N-HITS
	local hit
	while IFS= read -r hit; do
		[[ -n "$hit" ]] || continue
		echo "check-core-purity: $1:${hit%%:*}: $2:${hit#*:}" >&2
		failed=1
	done <<<"$3"
}
while IFS= read -r -d '' file; do
	code="$(sed -e 's#//.*$##' "$file")"
	report "$file" 'wall clock or timer in core (take `now` as a value; return the next wake-up instead of waiting)' "$(grep -nE "$clock_re" <<<"$code" || true)"
	report "$file" 'renamed import of "time" in core (hides wall-clock reads from this check)' \
		"$(grep -nE "$alias_re" <<<"$code" | grep -vE "$plain_import_re" || true)"
done < <(find core -name '*.go' -not -name '*_test.go' -not -path '*/testdata/*' -type f -print0 | sort -z)

# 2. Forbidden dependencies, reported per core package so the culprit is obvious.
#    client-go and the PromQL engine are checked transitively (Deps). net/http is checked
#    on core's own imports only: every package using metav1 reaches net/http through
#    k8s.io/apimachinery/pkg/util/runtime, which core cannot avoid and which does no I/O
#    on core's behalf. -e keeps going past packages that do not compile yet.
transitive_re='^(k8s\.io/client-go(/.*)?|github\.com/prometheus/prometheus/promql)$'
direct_re='^(net/http(/.*)?|k8s\.io/client-go(/.*)?|github\.com/prometheus/prometheus/promql(/.*)?)$'
listing="$(go list -e -f '{{.ImportPath}}|{{join .Imports ","}}|{{join .Deps ","}}' ./core/... 2>/dev/null || true)"
while IFS='|' read -r pkg imports deps; do
	[[ -n "${pkg:-}" ]] || continue
	IFS=, read -r -a imports_list <<<"${imports:-}"
	IFS=, read -r -a deps_list <<<"${deps:-}"
	for dep in "${imports_list[@]}"; do
		if [[ "$dep" =~ $direct_re ]]; then
			echo "check-core-purity: package $pkg imports $dep (core must not; put it behind a port in adapters/)" >&2
			failed=1
		fi
	done
	for dep in "${deps_list[@]}"; do
		if [[ "$dep" =~ $transitive_re ]] && [[ ",${imports:-}," != *",$dep,"* ]]; then
			echo "check-core-purity: package $pkg depends on $dep through its imports (core must not)" >&2
			echo "  see which package imports it: go list -deps -f '{{.ImportPath}}: {{join .Imports \" \"}}' $pkg | grep '$dep'" >&2
			failed=1
		fi
	done
done <<<"$listing"

if ((failed)); then
	echo "check-core-purity: FAILED: core/ must stay pure (README.md, Layout)" >&2
	exit 1
fi
echo "check-core-purity: ok"
