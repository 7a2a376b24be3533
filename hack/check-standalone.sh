#!/usr/bin/env bash
# check-standalone.sh: fail if a tracked file cites reference notes that are not in the repository.
#
# The repository must stand on its own: code comments, tests, scenarios and docs explain
# Flagger's behaviour themselves or link to docs/flagger-compatibility.md. They must not point
# at private notes kept outside it (SPEC.md, DESIGN.md, STYLE.md, anything under ../shared) nor
# at their numbered sections ("§3.8", "SPEC §4"). This script searches every file git tracks
# (this script excepted; binary files skipped) and lists each hit as FILE:LINE.
# Outside a git work tree it searches every file but .git/ and bin/.
set -euo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/.."

self=hack/check-standalone.sh
# Byte-wise matching: "§" is the two UTF-8 bytes C2 A7 whatever the locale.
export LC_ALL=C
not_word='[^A-Za-z0-9_]'
pattern="(SPEC|DESIGN|STYLE)\.md|(^|$not_word)SPEC($not_word|$)|\.\./shared|/work/shared|seed/osm-canary-tutorial|§"

if git rev-parse --is-inside-work-tree >/dev/null 2>&1; then
	hits="$(git grep -nIE -e "$pattern" -- . ":(exclude)$self" || true)"
else
	hits="$(grep -rnIE --exclude-dir=.git --exclude-dir=bin -e "$pattern" . | sed 's#^\./##' | grep -v "^$self:" || true)"
fi

if [[ -z "$hits" ]]; then
	echo "check-standalone: ok"
	exit 0
fi
while IFS= read -r hit; do
	file="${hit%%:*}"
	rest="${hit#*:}"
	line="${rest%%:*}"
	text="${rest#*:}"
	# Fuzz corpora hold whole files on one line: show the start of a long line only.
	((${#text} <= 160)) || text="${text:0:160}…"
	echo "check-standalone: $file:$line: $text" >&2
done <<<"$hits"
echo "check-standalone: FAILED: explain the behaviour in place or link docs/flagger-compatibility.md" \
	"(a section name in Go and YAML comments, a #anchor in Markdown); never cite SPEC.md, DESIGN.md," \
	"STYLE.md, ../shared or a § section number" >&2
exit 1
