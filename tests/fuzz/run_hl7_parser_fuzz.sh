#!/usr/bin/env bash
# A bounded libFuzzer run of the HL7 parser: run_hl7_parser_fuzz.sh FUZZER [SECONDS]
# Seeds: the shared HL7 corpus (../shared/corpus/hl7), copied to a scratch folder because
# libFuzzer adds the inputs it finds to its first corpus folder. Exit status non-zero on a
# crash, a sanitizer report, a timeout or an out-of-memory input; the input that did it is
# kept in build-fuzz/artifacts/ and printed as a hex dump here.
set -euo pipefail
fuzzer=$1
seconds=${2:-60}
here=$(cd "$(dirname "$0")" && pwd)
seeds=${SUNDIAL_HL7_SEEDS:-$here/../../../shared/corpus/hl7}
[ -d "$seeds" ] || { echo "fuzz: seed corpus $seeds missing" >&2; exit 2; }
artifacts=$(dirname "$fuzzer")/artifacts
work=$(mktemp -d /tmp/sundial-hl7-fuzz.XXXXXX)
trap 'rm -rf "$work"' EXIT
mkdir -p "$artifacts"
cp "$seeds"/*.hl7 "$work"/
echo "fuzz: $fuzzer for ${seconds}s, $(ls "$work" | wc -l) seeds from $seeds"
status=0
"$fuzzer" -max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 -max_len=65536 \
  -print_final_stats=1 -artifact_prefix="$artifacts/" "$work" || status=$?
if [ "$status" -ne 0 ]; then
  echo "fuzz: FAILED (exit $status); reproducer(s):" >&2
  for f in "$artifacts"/*; do [ -f "$f" ] && { echo "== $f" >&2; head -c 512 "$f" | od -c | head -20 >&2; }; done
  exit "$status"
fi
echo "fuzz: clean after ${seconds}s"
