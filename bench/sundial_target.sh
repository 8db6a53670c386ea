#!/usr/bin/env bash
# Starts Sundial as the router under test for the shared DICOM benchmark harness
# (../shared/bench/bench.py, "--start-cmd"). The harness gives ports and AE titles in the
# environment; this writes a one-site configuration routing everything to the reader, then
# execs the binary (the harness measures the process it started).
#   SUNDIAL_BENCH_MODE=streaming|on_completion   (default streaming)
#   SUNDIAL_BENCH_QUIET_MS=2000                   quiet period for on_completion
#   SUNDIAL_BENCH_ASSOCIATIONS=4                  parallel associations to the reader
#   SUNDIAL_BENCH_FSYNC=true, SUNDIAL_BENCH_KEEP=false   spool.fsync and spool.keep_forwarded
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
binary=${SUNDIAL_BINARY:-$here/../build/sundial}
mode=${SUNDIAL_BENCH_MODE:-streaming}
quiet=${SUNDIAL_BENCH_QUIET_MS:-2000}
associations=${SUNDIAL_BENCH_ASSOCIATIONS:-4}
http_port=$(/usr/bin/python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')

cat > "$BENCH_WORKDIR/sundial.yaml" <<YAML
node:
  ae_title: $BENCH_ROUTER_AET
  dicom_port: $BENCH_ROUTER_PORT
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
exec "$binary" serve --config "$BENCH_WORKDIR/sundial.yaml"
