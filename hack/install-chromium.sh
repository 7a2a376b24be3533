#!/usr/bin/env bash
# install-chromium.sh: make sure Debian's chromium (/usr/bin/chromium) is installed, for the
# headless-browser test of the HTML report (cmd/fledge/report_test.go).
#
# Exits 0 at once when /usr/bin/chromium is there; otherwise installs the `chromium` package
# with apt-get (through sudo when not root) and checks that it runs. Says what it does.
set -euo pipefail

chromium=/usr/bin/chromium

if [[ -x "$chromium" ]]; then
	echo "install-chromium: $chromium is present: $("$chromium" --version 2>/dev/null || echo 'version unknown')"
	exit 0
fi

if ! command -v apt-get >/dev/null 2>&1; then
	echo "install-chromium: $chromium is missing and there is no apt-get here; install Chromium by hand" >&2
	exit 1
fi

sudo=()
if [[ "$(id -u)" != 0 ]]; then
	if ! command -v sudo >/dev/null 2>&1; then
		echo "install-chromium: not root and no sudo: cannot run apt-get" >&2
		exit 1
	fi
	sudo=(sudo)
fi

echo "install-chromium: $chromium is missing; running: ${sudo[*]:+${sudo[*]} }apt-get update"
"${sudo[@]}" apt-get update
# With the recommended packages: they bring the fonts the screenshots need.
echo "install-chromium: running: ${sudo[*]:+${sudo[*]} }apt-get install -y chromium"
"${sudo[@]}" env DEBIAN_FRONTEND=noninteractive apt-get install -y chromium

if [[ ! -x "$chromium" ]]; then
	echo "install-chromium: apt-get installed chromium but $chromium is not there" >&2
	exit 1
fi
echo "install-chromium: installed $("$chromium" --version 2>/dev/null || echo "$chromium")"
