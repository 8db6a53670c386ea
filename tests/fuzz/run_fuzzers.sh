#!/usr/bin/env bash
# Bounded libFuzzer runs of every fuzz target: run_fuzzers.sh BUILD_DIR [SECONDS] [TARGET...]
# (SECONDS per target; no TARGET: all of them). For each target: first the inputs that once
# broke it (tests/fuzz/regressions/<target>/, run once each), then SECONDS of fuzzing seeded
# from its corpus, copied to a scratch folder because libFuzzer adds what it finds to its
# first corpus folder (the shared corpus is never written). Exit status non-zero on a crash,
# a sanitizer report, a broken invariant, a timeout or an out-of-memory input; the input that
# did it is kept in BUILD_DIR/tests/fuzz/artifacts/<target>/ and dumped here.
# Longer runs and the options: docs/security.md, "Fuzzing".
set -euo pipefail
build=$1
seconds=${2:-60}
shift $(( $# >= 2 ? 2 : $# ))
here=$(cd "$(dirname "$0")" && pwd)
shared=${SUNDIAL_SHARED_CORPUS:-$here/../../../shared/corpus}
targets=("$@")
[ ${#targets[@]} -gt 0 ] || targets=(hl7_parser_fuzz http_request_fuzz dicom_receive_fuzz dicom_association_fuzz)

# Copies the seeds of a target into $1.
seed() {
  local target=$1 into=$2
  case "$target" in
    hl7_parser_fuzz)
      [ -d "$shared/hl7" ] || { echo "fuzz: seed corpus $shared/hl7 missing" >&2; exit 2; }
      cp "$shared"/hl7/*.hl7 "$into"/ ;;
    http_request_fuzz) cp "$here"/seeds/http/* "$into"/ ;;
    dicom_receive_fuzz)
      # The files the manifest lists, each checked against its SHA-256.
      local manifest=$shared/dicom/MANIFEST.tsv
      [ -f "$manifest" ] || { echo "fuzz: $manifest missing" >&2; exit 2; }
      tail -n +2 "$manifest" | while IFS=$'\t' read -r file _ _ _ _ _ _ sha256; do
        echo "$sha256  $shared/dicom/$file" | sha256sum --quiet -c - ||
          { echo "fuzz: $file does not match the manifest" >&2; exit 2; }
        cp "$shared/dicom/$file" "$into"/
      done ;;
    dicom_association_fuzz) cp "$here"/seeds/dicom_association/* "$into"/ ;;
    *) echo "fuzz: unknown target $target" >&2; exit 2 ;;
  esac
}

# Options per target: inputs as long as the limits they probe (HTTP: past the 16 KiB header
# limit; DICOM: the header part of large images), and a dictionary where there is one.
options() {
  case "$1" in
    http_request_fuzz) echo "-max_len=20000 -dict=$here/http.dict" ;;
    dicom_receive_fuzz) echo "-max_len=131072" ;;
    *) echo "-max_len=65536" ;;
  esac
}

status=0
for target in "${targets[@]}"; do
  fuzzer=$build/tests/fuzz/$target
  [ -x "$fuzzer" ] || { echo "fuzz: $fuzzer not built" >&2; exit 2; }
  artifacts=$build/tests/fuzz/artifacts/$target
  mkdir -p "$artifacts"
  regressions=$here/regressions/$target
  if [ -d "$regressions" ] && [ -n "$(ls -A "$regressions")" ]; then
    echo "fuzz: $target: replaying $(ls "$regressions" | wc -l) regression input(s)"
    "$fuzzer" -runs=1 -timeout=10 "$regressions"/* > "$artifacts/regressions.log" 2>&1 ||
      { echo "fuzz: $target FAILED on a regression input" >&2; tail -40 "$artifacts/regressions.log" >&2; status=1; continue; }
  fi
  work=$(mktemp -d /tmp/sundial-fuzz-$target.XXXXXX)
  seed "$target" "$work"
  echo "fuzz: $target for ${seconds}s, $(ls "$work" | wc -l) seeds"
  target_status=0
  # shellcheck disable=SC2046
  "$fuzzer" -max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 $(options "$target") \
    -print_final_stats=1 -artifact_prefix="$artifacts/" "$work" > "$artifacts/run.log" 2>&1 ||
    target_status=$?
  grep -E '^(stat::number_of_executed_units|stat::new_units_added|#[0-9]+ *DONE)' "$artifacts/run.log" || true
  rm -rf "$work"
  if [ "$target_status" -ne 0 ]; then
    echo "fuzz: $target FAILED (exit $target_status); log: $artifacts/run.log" >&2
    grep -E 'ERROR|runtime error|SUMMARY|Test unit written' "$artifacts/run.log" | head -20 >&2 || true
    for f in "$artifacts"/crash-* "$artifacts"/timeout-* "$artifacts"/oom-* "$artifacts"/leak-*; do
      [ -f "$f" ] && { echo "== $f" >&2; head -c 512 "$f" | od -c | head -20 >&2; }
    done
    status=1
    continue
  fi
  echo "fuzz: $target clean after ${seconds}s"
done
exit $status
