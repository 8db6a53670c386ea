#!/usr/bin/env bash
# Starts `sundial serve` for the HL7 benchmark in folder DIR and prints "PID PORT" when its
# MLLP listener answers: sundial_hl7_target.sh DIR everysec|always
#   everysec: the embedded Redis as `sundial serve` runs it by default (appendfsync everysec)
#   always:   a redis-server started here with appendfsync always (fsync before each reply,
#             once per event-loop round), given to Sundial as redis.address
# Every process started here writes its PID to DIR/*.pid; stop them with `kill $(cat DIR/*.pid)`.
set -euo pipefail
dir=$1
mode=$2
root=$(cd "$(dirname "$0")/../.." && pwd)
sundial=${SUNDIAL_BINARY:-$root/build/sundial}
mkdir -p "$dir"
free_port() { /usr/bin/python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
hl7_port=$(free_port); dicom_port=$(free_port); http_port=$(free_port)

redis_address=""
if [ "$mode" = always ]; then
  redis-server --port 0 --unixsocket "$dir/redis.sock" --unixsocketperm 700 --dir "$dir" \
    --appendonly yes --appendfsync always --save "" --daemonize no >"$dir/redis.log" 2>&1 &
  echo $! >"$dir/redis.pid"
  for _ in $(seq 100); do redis-cli -s "$dir/redis.sock" ping >/dev/null 2>&1 && break; sleep 0.05; done
  redis_address="unix:$dir/redis.sock"
fi

cat >"$dir/sundial.yaml" <<YAML
node:
  ae_title: SUNDIAL
  dicom_port: $dicom_port
  http_port: $http_port
  data_dir: $dir/data
redis:
  address: "$redis_address"
spool:
  min_free_bytes: 0
destinations:
  - {name: ARCHIVE, ae_title: ARCHIVE, host: 127.0.0.1, port: 9, max_associations: 1}
sites:
  - name: BENCH
    time_zone: UTC
    state: TX
    callers:
      - {ae_title: MODALITY, addresses: [127.0.0.1]}
    destinations: [ARCHIVE]
    hl7:
      senders:
        - {application: RIS}   # the load generator's orders come from RIS at 8 facilities
hl7:
  bind: 127.0.0.1
  port: $hl7_port
YAML

"$sundial" serve --config "$dir/sundial.yaml" >"$dir/sundial.log" 2>&1 &
pid=$!
echo $pid >"$dir/sundial.pid"
for _ in $(seq 200); do
  if (echo >/dev/tcp/127.0.0.1/$hl7_port) 2>/dev/null; then echo "$pid $hl7_port"; exit 0; fi
  kill -0 $pid 2>/dev/null || break
  sleep 0.05
done
echo "sundial did not start listening for HL7; see $dir/sundial.log" >&2
exit 1
