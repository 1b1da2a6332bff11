#!/usr/bin/env bash
# The benchmark: sa2rs end to end (release build; parse, graph, Rust out) beside two Python
# baselines on the same generated files: CPython's ast.parse of the file alone, and importing
# the models under SQLAlchemy and configuring the mappers. Prints a Markdown table of median
# wall times (of REPEAT runs) and peak memory, then the same runs in CPU time; BENCHMARKS.md
# holds a copy with its context.
#
# Usage: bench/run.sh [SIZES...]   (default sizes: 50 1000 10000; REPEAT=5 by default;
# SQLA_REPEAT, default REPEAT, for the SQLAlchemy import alone, which takes about a minute at
# 10,000 classes; WARMUP=1 uncounted run of each command first)
set -euo pipefail
cd "$(dirname "$0")/.."
sizes=("${@:-50 1000 10000}")
read -r -a sizes <<<"${sizes[*]}"
repeat=${REPEAT:-5}
sqla_repeat=${SQLA_REPEAT:-$repeat}
warmup=${WARMUP:-1}
python=${SA2RS_PYTHON:-target/sqla-venv/bin/python}
work=target/bench
mkdir -p "$work"
cargo build --release --quiet
bin=target/release/sa2rs

# median wall seconds, median CPU seconds (user + system) and max peak RSS (MiB) of a command
# run $repeat times, after $warmup runs that are not counted: a warm-up run gives each command
# the same start (Python's imports in the page cache; memory that the command before, such as the
# 1.5 GB SQLAlchemy import, freed, settled again: runs right after it were seen to spend up to 1 s
# more in the kernel).
measure() {
  local times=() cpus=() peak=0
  for _ in $(seq "$warmup"); do
    "$@" >/dev/null 2>&1 || true
  done
  for _ in $(seq "$repeat"); do
    /usr/bin/time -f "%e %U %S %M" -o "$work/time.txt" "$@" >/dev/null 2>"$work/stderr.txt" || {
      echo "failed: $*" >&2; cat "$work/stderr.txt" >&2; exit 1; }
    read -r secs user sys kib <"$work/time.txt"
    times+=("$secs")
    cpus+=("$(awk -v u="$user" -v s="$sys" 'BEGIN { printf "%.2f", u + s }')")
    (( kib > peak )) && peak=$kib
  done
  median() { printf '%s\n' "$@" | sort -g | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }
  echo "$(median "${times[@]}") $(median "${cpus[@]}") $((peak / 1024))"
}

# how many times faster sa2rs ($1 seconds) is than the other ($2 seconds), or slower
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { if (a == 0) a = 0.005; if (b == 0) b = 0.005
  if (b >= a) printf "%.1fx faster", b / a; else printf "%.1fx slower", a / b }'; }

cpu_rows=()
printf '| style | classes | file size | sa2rs | ast.parse | SQLAlchemy import + configure | sa2rs vs ast.parse | sa2rs vs SQLAlchemy | sa2rs peak MiB | SQLAlchemy peak MiB |\n'
printf '|---|---|---|---|---|---|---|---|---|---|\n'
for style in classic mapped; do
  for n in "${sizes[@]}"; do
    file="$work/models_${style}_${n}.py"
    [[ -f $file ]] || "$python" bench/generate.py "$n" "$style" "$file"
    size=$(du -h "$file" | cut -f1)
    read -r t_rs c_rs m_rs < <(measure "$bin" "$file" -o "$work/out.rs")
    read -r t_ast c_ast _ < <(measure "$python" -c "import ast, sys; ast.parse(open(sys.argv[1]).read())" "$file")
    read -r t_sa c_sa m_sa < <(repeat=$sqla_repeat measure "$python" -c "
import importlib.util, sys
sys.setrecursionlimit(100000)
spec = importlib.util.spec_from_file_location('bench_models', sys.argv[1])
m = importlib.util.module_from_spec(spec); sys.modules['bench_models'] = m; spec.loader.exec_module(m)
from sqlalchemy.orm import configure_mappers; configure_mappers()" "$file")
    printf '| %s | %s | %s | %ss | %ss | %ss | %s | %s | %s | %s |\n' \
      "$style" "$n" "$size" "$t_rs" "$t_ast" "$t_sa" "$(ratio "$t_rs" "$t_ast")" "$(ratio "$t_rs" "$t_sa")" "$m_rs" "$m_sa"
    cpu_rows+=("$(printf '| %s | %s | %ss | %ss | %ss | %s | %s |' \
      "$style" "$n" "$c_rs" "$c_ast" "$c_sa" "$(ratio "$c_rs" "$c_ast")" "$(ratio "$c_rs" "$c_sa")")")
  done
done
# The same runs in CPU time (user + system, all threads): less sensitive to other work on the
# machine than wall time, and counting both of sa2rs's threads.
printf '\nCPU time (user + system), medians of the same runs:\n\n'
printf '| style | classes | sa2rs | ast.parse | SQLAlchemy import + configure | sa2rs vs ast.parse | sa2rs vs SQLAlchemy |\n'
printf '|---|---|---|---|---|---|---|\n'
printf '%s\n' "${cpu_rows[@]}"
