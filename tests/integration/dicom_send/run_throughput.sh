#!/bin/bash
# Forwarding throughput probe: N generated CT images (0.5 MB each) sent to one storescp by
# dicom_send_throughput (one DicomInstanceSender, one association) and by storescu, same files,
# same storescp, same run. Also the peak RSS of sending one large (~15 MB) image as is.
#
# usage: run_throughput.sh BUILD_DIR|PATH_TO_dicom_send_throughput [COUNT]
set -euo pipefail
tool=$(realpath "$1")
[ -d "$tool" ] && tool="$tool/tests/integration/dicom_send/dicom_send_throughput"
count=${2:-500}
here=$(dirname "$(realpath "$0")")
work=$(mktemp -d /tmp/sundial-send-bench-XXXXXX)
received=$(mktemp -d /dev/shm/sundial-send-bench-XXXXXX)
scp_pid=""
cleanup() {
  if [ -n "$scp_pid" ]; then kill "$scp_pid" 2>/dev/null || true; wait "$scp_pid" 2>/dev/null || true; fi
  rm -rf "$work" "$received"
}
trap cleanup EXIT

/usr/bin/python3 "$here/make_ct_series.py" "$work/ct" "$count" 512
/usr/bin/python3 "$here/make_ct_series.py" "$work/large" 1 2800   # ~15 MB
port=$(/usr/bin/python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')

TCP_NODELAY=1 storescp -aet DEST -od "$received" -pdu 131072 "$port" >"$work/storescp.log" 2>&1 &
scp_pid=$!
for _ in $(seq 100); do echoscu -aec DEST -to 1 127.0.0.1 "$port" >/dev/null 2>&1 && break; sleep 0.1; done

echo "== sundial DicomInstanceSender, $count files, one association"
"$tool" "$work/ct" 127.0.0.1 "$port" DEST
rm -f "$received"/*

echo "== storescu, same files, same storescp (TCP_NODELAY=1, -pdu 131072)"
start=$(date +%s.%N)
TCP_NODELAY=1 storescu -aec DEST -pdu 131072 +sd 127.0.0.1 "$port" "$work/ct" >/dev/null 2>&1
end=$(date +%s.%N)
echo "instances=$count seconds=$(echo "$end - $start" | bc) instances_per_s=$(echo "$count / ($end - $start)" | bc)"
rm -f "$received"/*

echo "== one large image sent as is (peak RSS vs file size)"
"$tool" "$work/large" 127.0.0.1 "$port" DEST
