#!/bin/sh
# Measures ckpt-sandbox list throughput over one keep-alive connection on loopback.
# usage: Benchmarks/sandbox-throughput/run.sh [RUNS] [REQUESTS]
# Builds ckpt-sandbox in release mode, starts it on a free port with 100 seeded
# permissions, runs the load generator RUNS times (default 5) and prints each result and
# the median. The server is stopped when the script ends.
set -eu
runs=${1:-5}
requests=${2:-100000}
root=$(cd "$(dirname "$0")/../.." && pwd)
work=$(mktemp -d)
server_pid=

cleanup() {
    if [ -n "$server_pid" ]; then
        kill -TERM "$server_pid" 2>/dev/null || true
        wait "$server_pid" 2>/dev/null || true
    fi
    rm -rf "$work"
}
trap cleanup EXIT INT TERM

cd "$root"
swift build -c release --product ckpt-sandbox 2>&1 | grep -E "error|warning" || true
bin=$(swift build -c release --show-bin-path)
swiftc -O -o "$work/load-generator" Benchmarks/sandbox-throughput/LoadGenerator.swift

"$bin/ckpt-sandbox" --port 0 --seed-permissions 100 --checkpoint ft:bench > "$work/out" &
server_pid=$!
for _ in 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 16 17 18 19 20; do
    [ -s "$work/out" ] && break
    sleep 0.1
done
port=$(sed -n '1s/.*:\([0-9]*\)\/v1$/\1/p' "$work/out")
[ -n "$port" ] || { echo "ckpt-sandbox did not print its port" >&2; exit 1; }

echo "ckpt-sandbox on port $port; $runs runs of $requests list requests (limit 10 of 100 permissions)"
: > "$work/rates"
i=1
while [ "$i" -le "$runs" ]; do
    line=$("$work/load-generator" "$port" "$requests")
    echo "run $i: $line"
    echo "$line" | sed 's/.*: \([0-9]*\) requests\/s.*/\1/' >> "$work/rates"
    i=$((i + 1))
done
median=$(sort -n "$work/rates" | awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }')
echo "median: $median requests/s"
