#!/usr/bin/env bash
# bench_ir.sh CORM_BENCH [DATABASE_URL]: corm's instructions against the hand-written side's,
# counted by valgrind's callgrind (no hardware counters needed, no noise from neighbours).
#
# For each workload, each side runs alone in its own process under callgrind:
#   corm_bench --ir --side corm|raw --only W --div $IR_DIV [URL]
# with --instr-atstart=no --collect-atstart=no: corm_bench switches instrumentation and
# collection on around the one counted run only (after the seeding and one warm-up run),
# so the count is the workload's code, its light result digest included (both sides pay it).
# Prints per workload
#   workload=<name> corm_ir=<n> raw_ir=<n> ir_ratio=<r>
# and then the median and the geometric mean of the ratios. `make bench-ir` runs it.
#
# Environment: IR_DIV (row counts divided by this, default 10), IR_ONLY (comma-separated
# workloads, default all), VALGRIND (default valgrind), IR_KEEP=1 (keep the callgrind files).
set -euo pipefail

bench=${1:?usage: bench_ir.sh CORM_BENCH [DATABASE_URL]}
url=${2:-}
div=${IR_DIV:-10}
valgrind=${VALGRIND:-valgrind}

command -v "$valgrind" >/dev/null 2>&1 ||
	{ echo "bench_ir: $valgrind not found (Debian: apt-get install valgrind)" >&2; exit 2; }
[ -x "$bench" ] || { echo "bench_ir: $bench is not an executable" >&2; exit 2; }

out_dir=$(mktemp -d "${TMPDIR:-/tmp}/corm-bench-ir-XXXXXX")
if [ "${IR_KEEP:-0}" != 1 ]; then
	trap 'rm -rf "$out_dir"' EXIT
else
	echo "bench_ir: callgrind files kept in $out_dir"
fi

if [ -n "${IR_ONLY:-}" ]; then
	workloads=${IR_ONLY//,/ }
else
	workloads=$("$bench" --list)
fi

# The instructions callgrind counted for one side of one workload (the sum over the files of
# every process of the run: there is one, corm_bench --ir does not fork).
count_ir() {
	local w=$1 side=$2 log="$out_dir/$1.$2.log"
	if ! "$valgrind" --tool=callgrind --instr-atstart=no --collect-atstart=no \
		--callgrind-out-file="$out_dir/$w.$side.%p.out" \
		"$bench" --ir --side "$side" --only "$w" --div "$div" ${url:+"$url"} >"$log" 2>&1; then
		echo "bench_ir: $w, $side side failed:" >&2
		tail -n 20 "$log" >&2
		return 1
	fi
	# totals: (valgrind >= 3.x) or summary: -- the whole run's cost of the one event, Ir
	awk '/^totals:/ { t += $2; seen = 1 } /^summary:/ { s += $2 }
	     END { if (!seen) t = s; if (t <= 0) exit 1; print t }' "$out_dir/$w.$side".*.out ||
		{ echo "bench_ir: $w, $side side: no instructions counted (see $log)" >&2; return 1; }
}

ratios=()
echo "bench_ir: callgrind instruction counts, rows divided by $div, one counted run per side" \
	"after one warm-up${url:+ (database URL given)}"
for w in $workloads; do
	corm=$(count_ir "$w" corm)
	raw=$(count_ir "$w" raw)
	r=$(awk -v c="$corm" -v r="$raw" 'BEGIN { printf "%.2f", c / r }')
	ratios+=("$(awk -v c="$corm" -v r="$raw" 'BEGIN { printf "%.6f", c / r }')")
	echo "workload=$w corm_ir=$corm raw_ir=$raw ir_ratio=$r"
done

printf '%s\n' "${ratios[@]}" | sort -g | awk '
	{ v[NR] = $1; lg += log($1) }
	END {
		m = NR % 2 ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2
		printf "median ir_ratio=%.2f\n", m
		printf "geomean ir_ratio=%.2f\n", exp(lg / NR)
	}'
