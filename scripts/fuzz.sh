#!/usr/bin/env bash
# Bounded coverage-guided fuzzing of every file parser with Jazzer: each target fuzzes for SECONDS (default 30),
# starting from its committed corpus. A finding fails the run; Jazzer saves the input that triggered it as
# crash-<hash> under the target's Inputs directory in src/test/resources, where the next `mvn test` runs it as a
# regression test (commit it with the fix). Generated corpora go to .cifuzz-corpus/ (ignored by git).
# Usage: scripts/fuzz.sh [SECONDS]      (about SECONDS + 30 s per target; 5 targets)
set -euo pipefail
cd "$(dirname "$0")/.."
seconds="${1:-30}"
targets=(
  "tensor JsonFuzzTest"
  "tests SafeTensorsFuzzTest"
  "data ParserFuzzTest#idx"
  "data ParserFuzzTest#csv"
  "data ParserFuzzTest#png"
)
for t in "${targets[@]}"; do
  read -r module test <<<"$t"
  echo "== fuzzing $test ($module) for ${seconds}s"
  JAZZER_FUZZ=1 JAZZER_MAX_DURATION="${seconds}s" mvn -B -q -pl "$module" -am test \
    -Dsurefire.failIfNoSpecifiedTests=false -Dtest="$test" 2>&1 | grep -E "^(#[0-9]+ +DONE|Done [0-9]+ runs|== Java Exception|\[ERROR\])" || true
  # grep hides Jazzer's progress lines; the status is Maven's
  [[ "${PIPESTATUS[0]}" == 0 ]] || { echo "== $test: finding or failure (see the saved crash-* input under src/test/resources)"; exit 1; }
done
echo "== fuzzing: no findings"
