#!/usr/bin/env bash
# Installs every Debian package Sundial needs to build, test and benchmark.
# Idempotent: does nothing (and needs no network) when everything is present.
set -euo pipefail

packages=(
  cmake g++ make pkg-config ninja-build ccache
  libdcmtk-dev dcmtk
  libzmq3-dev cppzmq-dev
  libhiredis-dev redis-server
  liblua5.4-dev
  libyaml-cpp-dev
  libssl-dev openssl
  rsyslog rsyslog-gnutls
  libgtest-dev libgmock-dev
  libboost-dev
  nlohmann-json3-dev libcli11-dev
  python3 python3-pydicom python3-numpy python3-hl7 python3-yaml
  chromium
  clang libclang-rt-dev          # libFuzzer + sanitizer runtimes: the HL7 parser fuzz run in CI
)

missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
# The web page is built with npm (worklist/ui). Checked by command, not by package: a machine
# may carry Node.js from elsewhere, whose nodejs package already holds npm.
if ! command -v node >/dev/null || ! command -v npm >/dev/null; then missing+=(nodejs npm); fi
[ ${#missing[@]} -eq 0 ] && exit 0

echo "setup: installing ${missing[*]}"
sudo_cmd=()
if [ "$(id -u)" -ne 0 ]; then sudo_cmd=(sudo); fi
export DEBIAN_FRONTEND=noninteractive
"${sudo_cmd[@]}" apt-get update -qq
"${sudo_cmd[@]}" apt-get install -y --no-install-recommends "${missing[@]}"
