#!/usr/bin/env bash
# Run every speed/resource benchmark on the full reference corpus and rewrite its section of
# docs/benchmarks.md. Needs a quiet machine (the numbers are timings); takes tens of minutes on
# a 2-core CPU.
#   bench/run_all.sh                              # corpus in ../shared/corpus
#   CORPUS=/path/to/corpus bench/run_all.sh       # elsewhere
set -euo pipefail
cd "$(dirname "$0")/.."
PYTHON=${PYTHON:-.venv/bin/python}
corpus_args=()
if [[ -n "${CORPUS:-}" ]]; then corpus_args=(--corpus "$CORPUS"); fi
echo "load average: $(cut -d' ' -f1-3 /proc/loadavg)"
for bench in ingest_speed train_speed memory incremental orchestration; do
    echo "== bench/${bench}.py"
    "$PYTHON" "bench/${bench}.py" --write-docs "${corpus_args[@]}"
done
