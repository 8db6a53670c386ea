#!/usr/bin/env bash
# The HL7 part of `make bench`: MLLP ingest of ORM^O01 over C connections (default 8) with
# the shared load generator (../shared/bench/hl7/mllp_load.py), in one run:
#   ack                 the trivial C++ ACK server: the load generator's ceiling
#   py-redis-always     python-hl7 reference server, XADD to Redis appendfsync always, then AA
#   py-redis-everysec   the same with appendfsync everysec
#   sundial-everysec    `sundial serve`, its embedded Redis (appendfsync everysec, the default)
#   sundial-always      `sundial serve` on a redis-server with appendfsync always
# then the parser on one core (typical ORM/ORU: the load generator's ORM and the corpus's
# ORM/ORU). Reference peers are run by the harness's run_matrix.py; Sundial by
# sundial_hl7_target.sh. After each Sundial run the inbox must hold every ACKed message.
#   REPS=3  HL7_SECONDS=8  HL7_CONNS=8  HL7_TARGETS="ack py-redis-always py-redis-everysec sundial-everysec sundial-always"
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
build=${BUILD_DIR:-$root/build}
harness=${SUNDIAL_HL7_HARNESS:-$root/../shared/bench/hl7}
out=${BENCH_OUT:-$root/bench/results/$(date -u +%Y%m%dT%H%M%SZ)}/hl7
reps=${REPS:-3}
seconds=${HL7_SECONDS:-8}
conns=${HL7_CONNS:-8}
targets=${HL7_TARGETS:-ack py-redis-always py-redis-everysec sundial-everysec sundial-always}
work=$(mktemp -d /var/tmp/sundial-hl7-bench.XXXXXX)  # on disk, not tmpfs: fsync must be real
mkdir -p "$out"
want() { [[ " $targets " == *" $1 "* ]]; }
PY=/usr/bin/python3

# The reference peers need python3-redis (only here, not for tests).
dpkg-query -W -f='${Status}' python3-redis 2>/dev/null | grep -q "install ok installed" || {
  sudo_cmd=(); [ "$(id -u)" -ne 0 ] && sudo_cmd=(sudo)
  "${sudo_cmd[@]}" apt-get update -qq
  DEBIAN_FRONTEND=noninteractive "${sudo_cmd[@]}" apt-get install -y --no-install-recommends python3-redis
}
free_port() { $PY -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }

reference=()
for t in ack py-redis-always py-redis-everysec; do want "$t" && reference+=("$t"); done
run_reference() {  # one repetition of every reference target, so that reps interleave
  [ ${#reference[@]} -gt 0 ] || return 0
  local ref_targets
  ref_targets=$(IFS=,; echo "${reference[*]}")
  $PY "$harness/run_matrix.py" --targets "$ref_targets" --conns "$conns" --reps 1 \
    --seconds "$seconds" --no-probes --port "$(free_port)" --redis-port "$(free_port)" \
    --workdir "$work/ref" --out "$out/reference-$1.json" >&2 || echo "!!! reference runs failed (rep $1)" >&2
}

run_sundial() {  # run_sundial MODE REP
  local mode=$1 rep=$2 dir="$work/sundial-$1-$2" pid port
  read -r pid port < <("$here/sundial_hl7_target.sh" "$dir" "$mode")
  local cpu_before
  cpu_before=$(awk '{print $14+$15}' "/proc/$pid/stat")
  $PY "$harness/mllp_load.py" --port "$port" -c "$conns" -n 200000 --max-seconds "$seconds" \
    --warmup 300 --warmup-seconds 2 --label "sundial-$mode" --json "$out/sundial-$mode-$rep.json" \
    --acked-out "$dir/acked.txt" --quiet || echo "!!! sundial-$mode rep $rep had errors" >&2
  local cpu_after
  cpu_after=$(awk '{print $14+$15}' "/proc/$pid/stat")
  local sock="$dir/redis.sock"
  [ "$mode" = everysec ] && sock="$dir/data/redis/redis.sock"
  local stored acked
  # XADDs ever made to the inbox (the orders processor deletes entries it has processed).
  stored=$(redis-cli -s "$sock" XINFO STREAM sundial:v1:hl7:inbox | awk 'prev=="entries-added"{print} {prev=$0}')
  acked=$(wc -l <"$dir/acked.txt")
  echo "sundial-$mode rep=$rep stored=$stored acked=$acked server_cpu_ticks=$((cpu_after - cpu_before))" |
    tee -a "$out/sundial-stored.txt" >&2
  [ "$stored" -ge "$acked" ] || echo "!!! sundial-$mode rep $rep: fewer stored ($stored) than ACKed ($acked)" >&2
  curl -s "http://127.0.0.1:$(awk '/http_port/{print $2}' "$dir/sundial.yaml")/metrics" \
    | grep -E '^sundial_hl7_(store_batch|acks|duplicates|closed)' >"$out/sundial-$mode-$rep.metrics" || true
  kill "$(cat "$dir/sundial.pid")"
  while kill -0 "$(cat "$dir/sundial.pid")" 2>/dev/null; do sleep 0.1; done
  [ -f "$dir/redis.pid" ] && kill "$(cat "$dir/redis.pid")" && sleep 0.5
  cp "$dir/sundial.log" "$out/sundial-$mode-$rep.log" 2>/dev/null || true
  rm -rf "$dir"
}

for rep in $(seq "$reps"); do
  echo "=== HL7 repetition $rep of $reps" >&2
  run_reference "$rep"
  want sundial-everysec && run_sundial everysec "$rep"
  want sundial-always && run_sundial always "$rep"
done

echo "=== HL7 parser, one core" >&2
$PY "$here/gen_typical.py" "$harness" "$root/../shared/corpus/hl7" "$work/typical.hl7" >&2
taskset -c 0 "$build/tests/unit/hl7_ingest/hl7_ingest_parse_bench" "$work/typical.hl7" 3 \
  | tee "$out/parser.txt"

$PY "$here/summarize.py" "$out" | tee "$out/SUMMARY.md"
rm -rf "$work"
echo "results: $out" >&2
