#!/usr/bin/env bash
# Starts Sundial as the router under test for the shared DICOM benchmark harness
# (../shared/bench/bench.py, "--start-cmd"). The harness gives ports and AE titles in the
# environment; this writes a one-site configuration routing everything to the reader, then
# execs the binary (the harness measures the process it started).
#   SUNDIAL_BENCH_MODE=streaming|on_completion   (default streaming)
#   SUNDIAL_BENCH_QUIET_MS=2000                   quiet period for on_completion
#   SUNDIAL_BENCH_ASSOCIATIONS=4                  parallel associations to the reader
#   SUNDIAL_BENCH_FSYNC=true, SUNDIAL_BENCH_KEEP=false   spool.fsync and spool.keep_forwarded
#   SUNDIAL_BENCH_TLS_DIR=DIR   DICOM over TLS on both links (certificates from
#       scripts/make-demo-certs.sh DIR sundial ...): the harness's port becomes Sundial's TLS
#       listener (mutual TLS against DIR/ca.pem; the plain listener moves to a free port nobody
#       uses) and the reader is forwarded to over TLS with sundial.pem as client certificate.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
binary=${SUNDIAL_BINARY:-$here/../build/sundial}
mode=${SUNDIAL_BENCH_MODE:-streaming}
quiet=${SUNDIAL_BENCH_QUIET_MS:-2000}
associations=${SUNDIAL_BENCH_ASSOCIATIONS:-4}
free_port() { /usr/bin/python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
http_port=$(free_port)
tls_dir=${SUNDIAL_BENCH_TLS_DIR:-}
dicom_port=$BENCH_ROUTER_PORT
[ -n "$tls_dir" ] && dicom_port=$(free_port)

cat > "$BENCH_WORKDIR/sundial.yaml" <<YAML
node:
  ae_title: $BENCH_ROUTER_AET
  dicom_port: $dicom_port
  http_port: $http_port
  data_dir: $BENCH_WORKDIR/data
spool:
  fsync: ${SUNDIAL_BENCH_FSYNC:-true}
  min_free_bytes: 0
  keep_forwarded: ${SUNDIAL_BENCH_KEEP:-false}
tracker:
  quiet_period_ms: $quiet
destinations:
  - name: READER
    ae_title: $BENCH_READER_AET
    host: $BENCH_READER_HOST
    port: $BENCH_READER_PORT
    max_associations: $associations
    mode: $mode
sites:
  - name: BENCH
    callers:
      - ae_title: BENCHSCU
        addresses: [127.0.0.1]
    destinations: [READER]
YAML
if [ -n "$tls_dir" ]; then
  cat >> "$BENCH_WORKDIR/sundial.yaml" <<YAML
security:
  dicom_tls:
    certificate: $tls_dir/sundial.pem
    private_key: $tls_dir/sundial.key
    ca_file: $tls_dir/ca.pem
    port: $BENCH_ROUTER_PORT
    destinations: [READER]
YAML
fi
exec "$binary" serve --config "$BENCH_WORKDIR/sundial.yaml"
