#!/usr/bin/env bash
# `make bench`: Sundial against the wire limit (storescu -> storescp) and Orthanc's per-instance
# Lua forwarding, measured side by side in one run with the shared harness (../shared/bench),
# on its default data set (4 CT studies x 250 instances + 10 CR studies x 2, 826 MB), with 1
# and 4 sending associations. Prints RESULT and RATIO lines; JSON in bench/results/<time>/.
#   REPS=3 (repetitions per target)   TARGETS="wire relay sundial-streaming sundial-completion orthanc rules hl7 worklist"
# relay: build/bench/relay/tcp_relay between the senders and the reader, a router that does no
# work at all (bytes copied both ways, no parsing, no disk): the most any router reaches here.
# TLS (issue 6), not in the default set: TARGETS="sundial-streaming sundial-tls wire wire-tls"
# sundial-tls: the streaming pass-through with DICOM over TLS on both links (storescu +tls ->
# Sundial's TLS listener, Sundial -> storescp +tls), mutual TLS, certificates made here with
# openssl in a temporary folder; wire-tls: storescu +tls -> storescp +tls. Ratio TLS / plain.
# hl7: MLLP ingest and the parser (bench/hl7/run.sh), results in <out>/hl7/.
# worklist: 500 readers, 20,000 open tasks: queries, paced claims, SSE visibility (<out>/worklist/).
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
harness=${SUNDIAL_BENCH_HARNESS:-$here/../../shared/bench}
reps=${REPS:-3}
targets=${TARGETS:-wire relay sundial-streaming sundial-completion orthanc rules hl7 worklist}
out=${BENCH_OUT:-$here/results/$(date -u +%Y%m%dT%H%M%SZ)}
mkdir -p "$out"

# The harness and Orthanc come from Debian's packages (only needed here, not for tests).
need=()
for p in orthanc python3-pydicom python3-numpy dcmtk; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || need+=("$p")
done
if [ ${#need[@]} -gt 0 ]; then
  sudo_cmd=(); [ "$(id -u)" -ne 0 ] && sudo_cmd=(sudo)
  "${sudo_cmd[@]}" apt-get update -qq
  DEBIAN_FRONTEND=noninteractive "${sudo_cmd[@]}" apt-get install -y --no-install-recommends "${need[@]}"
fi

B="/usr/bin/python3 $harness/bench.py"
# BENCH_RUN_ARGS: more harness options for every DICOM run, e.g. other ports and work folder
# when someone else benchmarks on the machine: "--router-port 34242 --reader-port 34343
# --work-root /tmp/bench-run-mine" (the defaults, 14242/14343 and /tmp/bench-run, are shared).
read -r -a run_args <<< "${BENCH_RUN_ARGS:-}"
run() { echo "=== $* ${run_args[*]}" >&2; $B run "$@" "${run_args[@]}" || echo "!!! some runs failed: $*" >&2; }
want() { [[ " $targets " == *" $1 "* ]]; }

# The harness runs storescu/storescp/echoscu from PATH: for the TLS targets bench/tls/bin comes
# first, whose links add the TLS options (bench/tls/dcmtk_tls.sh) to the real tools.
tls_dir=""
if want sundial-tls || want wire-tls; then
  tls_dir=$(mktemp -d /tmp/sundial-bench-tls.XXXXXX)
  trap 'rm -rf "$tls_dir"' EXIT
  bash "$here/../scripts/make-demo-certs.sh" "$tls_dir" sundial sender reader
fi
run_tls() { SUNDIAL_BENCH_TLS_DIR="$tls_dir" PATH="$here/tls/bin:$PATH" run "$@"; }

/usr/bin/python3 "$harness/gen_dataset.py" >&2

want wire && run --name wire --direct --reps "$reps" --out "$out/wire.json"
# The relay is transparent: the senders call the reader's AE title through it.
want relay && run --name relay --router-aet READER --reps "$reps" --out "$out/relay.json" \
  --start-cmd "$here/../build/bench/relay/tcp_relay {port} {reader_host} {reader_port}"
want orthanc && run --name orthanc-instance --start-cmd "{bench_dir}/targets/orthanc.sh instance" \
  --router-aet ORTHANC --env TCP_NODELAY=1 --reps "$reps" --out "$out/orthanc-instance.json"
# Sundial gets no TCP_NODELAY from outside: it must not depend on its users knowing about it.
want sundial-streaming && run --name sundial-streaming --start-cmd "$here/sundial_target.sh" \
  --router-aet SUNDIAL --env SUNDIAL_BENCH_MODE=streaming --reps "$reps" \
  --out "$out/sundial-streaming.json"
want sundial-completion && run --name sundial-completion --start-cmd "$here/sundial_target.sh" \
  --router-aet SUNDIAL --env SUNDIAL_BENCH_MODE=on_completion --env SUNDIAL_BENCH_QUIET_MS=2000 \
  --reps "$reps" --out "$out/sundial-completion.json"
want sundial-tls && run_tls --name sundial-tls --start-cmd "$here/sundial_target.sh" \
  --router-aet SUNDIAL --env SUNDIAL_BENCH_MODE=streaming --env SUNDIAL_BENCH_TLS_DIR="$tls_dir" \
  --reps "$reps" --out "$out/sundial-tls.json"
want wire-tls && run_tls --name wire-tls --direct --reps "$reps" --out "$out/wire-tls.json"

# The rule engine (issue 4): decisions/s, p99, memory per Lua state, replay of 100,000 studies.
want rules && { BENCH_OUT="$out" bash "$here/rules/run.sh" || echo "!!! rules bench failed" >&2; }
want hl7 && { BENCH_OUT="$out" REPS="$reps" bash "$here/hl7/run.sh" || echo "!!! HL7 runs failed" >&2; }
# The worklist (issue 5): query p99, claim p99 at 200/s, change visibility over SSE.
want worklist && { /usr/bin/python3 "$here/worklist/worklist_bench.py" --out "$out/worklist" \
  || echo "!!! worklist bench failed" >&2; }

echo "=== ratios (median, same run)"
[ -f "$out/wire.json" ] && [ -f "$out/relay.json" ] && \
  { $B compare "$out/wire.json" "$out/relay.json" | grep -E "e2e_ips" || true; }
for s in sundial-streaming sundial-completion; do
  [ -f "$out/$s.json" ] || continue
  [ -f "$out/wire.json" ] && $B compare "$out/wire.json" "$out/$s.json" | grep -E "e2e_ips|ingest_ips" || true
  [ -f "$out/relay.json" ] && $B compare "$out/relay.json" "$out/$s.json" | grep -E "e2e_ips" || true
  [ -f "$out/orthanc-instance.json" ] && $B compare "$out/orthanc-instance.json" "$out/$s.json" \
    | grep -E "e2e_ips|rss_peak|lat_p50|tail_s" || true
done
# Issue 6: TLS must keep at least 70 % of the plain pass-through (new = TLS, base = plain).
for pair in "sundial-streaming sundial-tls" "wire wire-tls"; do
  set -- $pair
  [ -f "$out/$1.json" ] && [ -f "$out/$2.json" ] || continue
  $B compare "$out/$1.json" "$out/$2.json" | grep -E "e2e_ips|ingest_ips|router_cpu_s" || true
done
/usr/bin/python3 "$harness/report.py" "$out"/*.json > "$out/REPORT.md" 2>/dev/null || true
echo "results: $out" >&2
