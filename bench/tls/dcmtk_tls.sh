#!/usr/bin/env bash
# Puts DICOM over TLS under the shared benchmark harness without changing it: the harness runs
# `storescu`, `storescp` and `echoscu` from PATH, and bench/run.sh puts bench/tls/bin (links
# to this script) first on PATH for the TLS targets. Each call becomes the real DCMTK tool with
# TLS (BCP 195 non-downgrading, DCMTK's default profile), its own certificate from
# SUNDIAL_BENCH_TLS_DIR (made by scripts/make-demo-certs.sh) and the peer's certificate
# required and checked against the bench CA. `exec`, so the harness measures the real tool.
#   senders and C-ECHO probes: sender.pem/key;   the reader (storescp): reader.pem/key
set -euo pipefail
tool=$(basename "$0")
dir=${SUNDIAL_BENCH_TLS_DIR:?SUNDIAL_BENCH_TLS_DIR must name the bench certificate folder}
case "$tool" in
  storescp) who=reader ;;
  storescu | echoscu) who=sender ;;
  *) echo "dcmtk_tls.sh: unexpected tool name '$tool'" >&2; exit 2 ;;
esac
exec "/usr/bin/$tool" +tls "$dir/$who.key" "$dir/$who.pem" -pw +cf "$dir/ca.pem" -rc "$@"
