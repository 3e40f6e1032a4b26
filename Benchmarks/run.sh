#!/usr/bin/env bash
# `make bench`: loads relais (release build) and the C baseline (hello.c) with wrk in the same
# run, on the same paths, and prints requests/s and latency percentiles side by side.
# BENCH_SECONDS (default 10) and BENCH_CONNECTIONS (default 32) tune the load.
set -euo pipefail
cd "$(dirname "$0")/.."
SECONDS_PER_RUN=${BENCH_SECONDS:-10}
CONNECTIONS=${BENCH_CONNECTIONS:-32}
RELAIS=.build/release/relais
command -v wrk >/dev/null || { sudo=""; [ "$(id -u)" = 0 ] || sudo=sudo; $sudo apt-get update -qq && $sudo apt-get install -y -qq wrk; }

work=$(mktemp -d)
cleanup() { kill "${relais_pid:-}" "${hello_pid:-}" 2>/dev/null || true; wait 2>/dev/null || true; rm -rf "$work"; }
trap cleanup EXIT

gcc -O2 -o "$work/hello" Benchmarks/hello.c $(pkg-config --cflags --libs libmicrohttpd)

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
relais_port=$(free_port); hello_port=$(free_port)

"$RELAIS" serve --data-dir "$work/var" --port "$relais_port" 2>"$work/relais.log" &
relais_pid=$!
"$work/hello" "$hello_port" &
hello_pid=$!
for _ in $(seq 100); do grep -q "listening on" "$work/relais.log" 2>/dev/null && break; sleep 0.1; done
echo "bench password" | "$RELAIS" user add bench --role coordinator --data-dir "$work/var" >/dev/null
token=$("$RELAIS" token issue bench --data-dir "$work/var" 2>/dev/null)

# wrk --latency output -> "req/s p50 p90 p99" (latencies in ms)
measure() {
    local url=$1
    wrk -t2 -c"$CONNECTIONS" -d"${SECONDS_PER_RUN}s" --latency -H "Authorization: Bearer $token" "$url" | python3 -c '
import re, sys
text = sys.stdin.read()
def ms(label):
    m = re.search(r"^\s*" + label + r"%\s+([\d.]+)(us|ms|s)\s*$", text, re.M)
    value, unit = float(m.group(1)), m.group(2)
    return value / 1000 if unit == "us" else value * 1000 if unit == "s" else value
rps = float(re.search(r"Requests/sec:\s+([\d.]+)", text).group(1))
non2xx = re.search(r"Non-2xx or 3xx responses:\s+(\d+)", text)
if non2xx: sys.exit("wrk saw %s non-2xx responses" % non2xx.group(1))
print("%.0f %.2f %.2f %.2f" % (rps, ms("50"), ms("90"), ms("99")))'
}

echo "wrk -t2 -c$CONNECTIONS -d${SECONDS_PER_RUN}s on $(nproc) cores; latencies in ms"
printf "%-12s | %10s %8s %8s | %10s %8s %8s | %s\n" path "relais r/s" p50 p99 "C r/s" p50 p99 "relais/C"
for path in /healthz /api/v1/me; do
    read -r r_rps r_p50 r_p90 r_p99 <<<"$(measure "http://127.0.0.1:$relais_port$path")"
    read -r c_rps c_p50 c_p90 c_p99 <<<"$(measure "http://127.0.0.1:$hello_port$path")"
    ratio=$(python3 -c "print('%.2f' % ($r_rps / $c_rps))")
    printf "%-12s | %10s %8s %8s | %10s %8s %8s | %s\n" "$path" "$r_rps" "$r_p50" "$r_p99" "$c_rps" "$c_p50" "$c_p99" "$ratio"
done

# The reminder sender's sweep over 1,000,000 enrolments and 100,000 pending messages.
echo
.build/release/relais-sweep-bench

# The yearly evaluation report over 100 programmes × 16 participants with full data.
echo
.build/release/relais-report-bench
