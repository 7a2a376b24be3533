#!/usr/bin/env bash
# Builds the kube-apiserver and etcd binaries that controller-runtime's envtest needs, from
# Go modules (no release binaries can be downloaded here), into hack/bin/k8s/.
#
#   export KUBEBUILDER_ASSETS=$(bash hack/envtest.sh)
#
# Each binary is skipped when it is already there and reports the expected version, so a
# second run is a fast no-op; otherwise it is (re)built. The first build of kube-apiserver
# takes about 10 minutes on 2 cores (the Go build cache makes later rebuilds quicker).
#
# The sources are pinned by their own modules, hack/envtest/apiserver and hack/envtest/etcd
# (go.mod and go.sum committed), so the main module never depends on k8s.io/kubernetes.
# To move to another Kubernetes or etcd release, change the versions here and in those go.mod
# files (every k8s.io staging module is pinned there too), then run `go mod tidy` in each.
#
# Only the assets directory is printed on stdout, as the last line; everything else goes to
# stderr.
set -euo pipefail

K8S_VERSION=v1.37.2 # k8s.io/kubernetes; its staging modules are v0.37.2
ETCD_VERSION=3.7.3  # go.etcd.io/etcd/server/v3 v3.7.3

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
OUT="$ROOT/hack/bin/k8s"

# Keep stdout for the one line callers capture.
exec 3>&1 1>&2

die() {
	echo "hack/envtest.sh: error: $*" >&2
	exit 1
}
log() {
	echo "hack/envtest.sh: $*" >&2
}

# Prints what BINARY --version says (empty when it is missing or does not run).
version_of() {
	[[ -x $1 ]] || return 0
	if command -v timeout >/dev/null; then
		timeout 30 "$1" --version 2>&1 || true
	else
		"$1" --version 2>&1 || true
	fi
}

apiserver_ok() {
	version_of "$OUT/kube-apiserver" | grep -qx "Kubernetes $K8S_VERSION"
}
etcd_ok() {
	version_of "$OUT/etcd" | grep -q "^etcd Version: $ETCD_VERSION\$"
}

if apiserver_ok && etcd_ok; then
	echo "$OUT" >&3
	exit 0
fi

command -v go >/dev/null || die "go is not on PATH; it is needed to build kube-apiserver and etcd for envtest"
mkdir -p "$OUT" || die "cannot create $OUT"

# One builder at a time: parallel callers (make -j, several test runs) wait here and then find
# the binaries built.
if command -v flock >/dev/null; then
	exec 9>"$OUT/.lock"
	if ! flock -n 9; then
		log "another hack/envtest.sh is building into $OUT; waiting for it"
		flock 9
	fi
fi

# A build cut short leaves no half-written binary behind.
trap 'rm -f "$OUT"/.*.tmp.$$' EXIT

NICE=()
command -v nice >/dev/null && NICE=(nice -n 10)

# build NAME MODULE_DIR PACKAGE LDFLAGS HINT: builds PACKAGE in the module MODULE_DIR into
# $OUT/NAME; HINT says how long that takes.
build() {
	local name=$1 dir=$2 pkg=$3 ldflags=$4 hint=$5
	local tmp="$OUT/.$name.tmp.$$" start=$SECONDS
	[[ -f $dir/go.mod ]] || die "$dir/go.mod is missing"
	log "building $name from $pkg (module ${dir#"$ROOT/"}); $hint"
	# GOWORK=off: a go.work at the root must not pull these modules in (or out).
	# CGO_ENABLED=0: static binaries, like the upstream releases, and no C toolchain needed.
	# -mod=mod: resolve from go.mod/go.sum as committed (downloading through the module proxy),
	# whatever GOFLAGS says (e.g. -mod=vendor); -buildvcs=false: no git stamping, which fails
	# in some checkouts and would tie the binary to the state of the work tree.
	if ! (cd "$dir" && GOWORK=off CGO_ENABLED=0 ${NICE[@]+"${NICE[@]}"} go build -mod=mod -trimpath -buildvcs=false \
		-ldflags "$ldflags" -o "$tmp" "$pkg"); then
		rm -f "$tmp"
		die "building $name failed (see the go output above); the module is ${dir#"$ROOT/"}"
	fi
	mv -f "$tmp" "$OUT/$name"
	log "built $OUT/$name in $((SECONDS - start))s"
}

if apiserver_ok; then
	log "kube-apiserver $K8S_VERSION already in $OUT"
else
	[[ -e $OUT/kube-apiserver ]] && log "$OUT/kube-apiserver does not report Kubernetes $K8S_VERSION; rebuilding it"
	major=${K8S_VERSION#v}
	major=${major%%.*}
	minor=${K8S_VERSION#v*.}
	minor=${minor%%.*}
	# The version must be a real one: clients that parse the server version as semver refuse
	# the default v0.0.0-master. Set it where the Kubernetes release build sets it.
	ldflags="-s -w"
	for pkg in k8s.io/component-base/version k8s.io/client-go/pkg/version; do
		ldflags+=" -X $pkg.gitVersion=$K8S_VERSION -X $pkg.gitMajor=$major -X $pkg.gitMinor=$minor"
		ldflags+=" -X $pkg.gitTreeState=clean -X $pkg.buildDate=1970-01-01T00:00:00Z"
	done
	build kube-apiserver "$ROOT/hack/envtest/apiserver" k8s.io/kubernetes/cmd/kube-apiserver "$ldflags" \
		"a first build takes about 10 minutes on 2 cores (CPU time about 20 minutes)"
	apiserver_ok || die "the built kube-apiserver does not report Kubernetes $K8S_VERSION; it says: $(version_of "$OUT/kube-apiserver" | head -n 3)"
fi

if etcd_ok; then
	log "etcd $ETCD_VERSION already in $OUT"
else
	[[ -e $OUT/etcd ]] && log "$OUT/etcd does not report etcd Version: $ETCD_VERSION; rebuilding it"
	build etcd "$ROOT/hack/envtest/etcd" github.com/fledge-canary/fledge/hack/envtest/etcd "-s -w" \
		"a first build takes about 1 to 2 minutes"
	etcd_ok || die "the built etcd does not report version $ETCD_VERSION; it says: $(version_of "$OUT/etcd" | head -n 3)"
fi

echo "$OUT" >&3
