#!/usr/bin/env bash
# The rule engine's figures (issue 4): decisions/s on one core, p99, memory per Lua state, with
# examples/rules and a synthetic roster of 500 readers over 50 sites; then 100,000 synthetic
# recorded decisions replayed in process and through `sundial rules replay` from a real
# redis-server stream. Output: RESULT lines; files in $BENCH_OUT (default
# bench/results/<UTC time>/rules).
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
build=${BUILD_DIR:-$root/build}
out=${BENCH_OUT:-$root/bench/results/$(date -u +%Y%m%dT%H%M%SZ)}/rules
mkdir -p "$out"
work=$(mktemp -d)
redis_pid=""
cleanup() {
  [ -n "$redis_pid" ] && kill "$redis_pid" 2>/dev/null || true
  rm -rf "$work"
}
trap cleanup EXIT

redis_args=()
if command -v redis-server >/dev/null; then
  redis-server --port 0 --unixsocket "$work/redis.sock" --save "" --appendonly no \
    --dir "$work" --logfile "$work/redis.log" &
  redis_pid=$!
  for _ in $(seq 50); do [ -S "$work/redis.sock" ] && break; sleep 0.1; done
  redis_args=(--redis "unix:$work/redis.sock" --out "$work")
fi

# One core: the figure the issue asks for.
taskset -c 0 "$build/bench/rules/rules_bench" --rules "$root/examples/rules" --decisions "${DECISIONS:-200000}" \
  --replay "${REPLAY:-100000}" "${redis_args[@]}" | tee "$out/rules_bench.txt"

if [ -n "$redis_pid" ]; then
  /usr/bin/time -f 'RESULT cli_replay_s=%e cli_replay_cpu_s=%U+%S max_rss_kb=%M (sundial rules replay from redis)' \
    taskset -c 0 "$build/sundial" rules replay --config "$work/config.yaml" --since 0 \
    > "$work/replay.txt" 2> "$work/replay.time"
  tail -2 "$work/replay.txt" | tee -a "$out/rules_bench.txt"
  tail -1 "$work/replay.time" | tee -a "$out/rules_bench.txt"
fi
echo "results: $out" >&2
