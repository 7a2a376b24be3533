#!/usr/bin/env bash
# Copies the generated CRDs (deploy/crds/*.yaml, written by `make generate`) to the places that
# ship them and cannot reference deploy/crds directly:
#   deploy/chart/fledge/crds/   Helm installs a chart's crds/ only from inside the chart.
#   deploy/kustomize/crds/      kustomize refuses files outside a kustomization's root, and
#                               deploy/crds (generated) has no kustomization.yaml of its own.
#
# Usage:
#   hack/sync-chart-crds.sh           copy; also removes *.yaml there that deploy/crds no longer has
#                                     (except deploy/kustomize/crds/kustomization.yaml)
#   hack/sync-chart-crds.sh --check   change nothing; exit 1 and name every file that differs,
#                                     is missing or is stale (CI: the copies must be current)
set -euo pipefail
cd "$(dirname "$0")/.."

src=deploy/crds
dests=(deploy/chart/fledge/crds deploy/kustomize/crds)

mode=sync
case "${1:-}" in
"") ;;
--check) mode=check ;;
*) echo "usage: $0 [--check]" >&2; exit 2 ;;
esac
[ $# -le 1 ] || { echo "usage: $0 [--check]" >&2; exit 2; }

shopt -s nullglob
srcs=("$src"/*.yaml)
[ ${#srcs[@]} -gt 0 ] || { echo "sync-chart-crds: no CRDs in $src (run make generate)" >&2; exit 1; }

bad=0
for dest in "${dests[@]}"; do
	[ "$mode" = check ] || mkdir -p "$dest"
	for f in "${srcs[@]}"; do
		d=$dest/$(basename "$f")
		if cmp -s "$f" "$d"; then
			continue
		fi
		if [ "$mode" = check ]; then
			if [ -e "$d" ]; then
				echo "sync-chart-crds: $d differs from $f" >&2
			else
				echo "sync-chart-crds: $d is missing (copy of $f)" >&2
			fi
			bad=1
		else
			cp "$f" "$d"
			echo "sync-chart-crds: updated $d" >&2
		fi
	done
	for d in "$dest"/*.yaml; do
		name=$(basename "$d")
		[ "$name" = kustomization.yaml ] && continue
		[ -e "$src/$name" ] && continue
		if [ "$mode" = check ]; then
			echo "sync-chart-crds: $d is stale ($src/$name no longer exists)" >&2
			bad=1
		else
			rm "$d"
			echo "sync-chart-crds: removed stale $d" >&2
		fi
	done
done
if [ "$bad" -ne 0 ]; then
	echo "sync-chart-crds: the CRD copies are out of date; run hack/sync-chart-crds.sh and commit the result" >&2
	exit 1
fi
[ "$mode" = check ] && echo "sync-chart-crds: CRD copies match $src" >&2
exit 0
