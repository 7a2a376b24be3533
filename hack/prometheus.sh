#!/usr/bin/env bash
# Starts a throwaway Prometheus on the loopback interface for tests, installing Debian's
# `prometheus` package first when no `prometheus` is on PATH.
#
# Usage:
#   hack/prometheus.sh CONFIG_FILE DATA_DIR [-- EXTRA_PROMETHEUS_FLAGS...]
#       Starts `prometheus --config.file=CONFIG_FILE --storage.tsdb.path=DATA_DIR
#       --web.listen-address=127.0.0.1:<free port>` in the background, waits until /-/ready
#       answers, and prints its base URL (http://127.0.0.1:PORT) as the only line on stdout.
#       The server keeps running after this script exits: stop it with
#       `kill "$(cat DATA_DIR/prometheus.pid)"`. Its own log goes to DATA_DIR/prometheus.log.
#   hack/prometheus.sh --version
#       Prints the version of the installed Prometheus (installing it first if needed),
#       e.g. `2.42.0+ds`.
#
# Everything except the URL or the version goes to stderr, so `url=$(hack/prometheus.sh ...)`
# works. The system service that the Debian package ships is never started.
#
# Environment:
#   PROMETHEUS_READY_TIMEOUT  seconds to wait for /-/ready (default 60)
#   PROMETHEUS_PIDFILE        where the PID is written (default DATA_DIR/prometheus.pid)
#   PROMETHEUS_LOG            where Prometheus logs (default DATA_DIR/prometheus.log)
set -euo pipefail

log() { printf 'prometheus.sh: %s\n' "$*" >&2; }
die() { log "$*"; exit 1; }

usage() {
	sed -n '2,/^set -euo/p' "$0" | sed -e '$d' -e 's/^# \{0,1\}//' >&2
	exit 2
}

# ensure_prometheus installs Debian's package when `prometheus` is not on PATH.
ensure_prometheus() {
	command -v prometheus >/dev/null 2>&1 && return 0
	local sudo=()
	if [ "$(id -u)" -ne 0 ]; then
		command -v sudo >/dev/null 2>&1 || die "prometheus is not installed and this is not root (no sudo either)"
		sudo=(sudo)
	fi
	# Keep the package's maintainer scripts from starting the service: invoke-rc.d asks
	# policy-rc.d, and 101 means "action forbidden". (Without a running systemd,
	# deb-systemd-invoke does nothing anyway.) Only a policy we created is removed again.
	local policy=/usr/sbin/policy-rc.d created_policy=
	if [ ! -e "$policy" ]; then
		printf '#!/bin/sh\nexit 101\n' | "${sudo[@]}" tee "$policy" >/dev/null
		"${sudo[@]}" chmod 0755 "$policy"
		created_policy=1
	fi
	log "installing Debian's prometheus package (apt-get update && apt-get install)"
	local start=$SECONDS rc=0
	{
		"${sudo[@]}" apt-get update -q &&
			"${sudo[@]}" env DEBIAN_FRONTEND=noninteractive \
				apt-get install -y -q --no-install-recommends prometheus
	} >&2 || rc=$?
	[ -n "$created_policy" ] && "${sudo[@]}" rm -f "$policy"
	[ "$rc" -eq 0 ] || die "apt-get failed (exit $rc)"
	command -v prometheus >/dev/null 2>&1 || die "prometheus is still not on PATH after apt-get install"
	log "installed $(prometheus_version) in $((SECONDS - start))s"
}

# prometheus_version prints e.g. `2.42.0+ds` from "prometheus, version 2.42.0+ds (branch: ...".
prometheus_version() {
	prometheus --version 2>&1 | sed -n 's/^prometheus, version \([^ ]*\).*/\1/p' | head -n1
}

# http_ok URL succeeds when URL answers 2xx.
http_ok() {
	curl -fsS --max-time 2 -o /dev/null "$1" 2>/dev/null
}

# port_in_use PORT succeeds when something accepts connections on 127.0.0.1:PORT.
port_in_use() {
	(exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null
}

# free_port prints a port on 127.0.0.1 that nothing listens on right now.
free_port() {
	local port _
	for _ in $(seq 1 100); do
		port=$((20000 + RANDOM % 40000))
		port_in_use "$port" || { echo "$port"; return 0; }
	done
	die "found no free port"
}

main() {
	case "${1:-}" in
	--version)
		[ $# -eq 1 ] || usage
		ensure_prometheus
		prometheus_version
		return 0
		;;
	-h | --help | "") usage ;;
	esac
	[ $# -ge 2 ] || usage
	local config=$1 data=$2
	shift 2
	if [ $# -gt 0 ]; then
		[ "$1" = "--" ] || usage
		shift
	fi
	[ -f "$config" ] || die "config file $config does not exist"
	command -v curl >/dev/null 2>&1 || die "curl is needed to wait for /-/ready"
	ensure_prometheus
	mkdir -p "$data"
	local pidfile=${PROMETHEUS_PIDFILE:-$data/prometheus.pid}
	local logfile=${PROMETHEUS_LOG:-$data/prometheus.log}
	local timeout=${PROMETHEUS_READY_TIMEOUT:-60}

	# The port is free when chosen but may be taken before Prometheus binds it; then
	# Prometheus exits at once and another port is tried.
	local attempt port pid url deadline
	for attempt in 1 2 3 4 5; do
		port=$(free_port)
		url=http://127.0.0.1:$port
		log "starting $(command -v prometheus) ($(prometheus_version)) on $url, data in $data, log in $logfile"
		# stdin/stdout/stderr are all redirected so that a caller capturing our stdout
		# (url=$(...)) is not kept waiting by the background server.
		prometheus \
			--config.file="$config" \
			--storage.tsdb.path="$data" \
			--web.listen-address="127.0.0.1:$port" \
			"$@" </dev/null >"$logfile" 2>&1 &
		pid=$!
		echo "$pid" >"$pidfile"
		deadline=$((SECONDS + timeout))
		while kill -0 "$pid" 2>/dev/null; do
			if http_ok "$url/-/ready"; then
				log "ready after $((SECONDS + timeout - deadline))s, pid $pid (stop it with: kill $pid)"
				echo "$url"
				return 0
			fi
			if [ "$SECONDS" -ge "$deadline" ]; then
				kill "$pid" 2>/dev/null || true
				tail -n 20 "$logfile" >&2 || true
				die "not ready on $url after ${timeout}s; stopped pid $pid"
			fi
			sleep 0.2
		done
		wait "$pid" || true
		if grep -q 'address already in use' "$logfile"; then
			log "port $port was taken meanwhile (attempt $attempt), trying another"
			continue
		fi
		tail -n 20 "$logfile" >&2 || true
		die "prometheus exited before it was ready"
	done
	die "could not bind a free port after 5 attempts"
}

main "$@"
