#!/usr/bin/env bash
# `make bench`: relais (release build) against its raw baselines, side by side in one run.
#  - the raw C libmicrohttpd server (hello.c) in the fastest configuration found on this machine
#    (every mode tried briefly first), the baseline of the HTTP rows;
#  - raw SQLite single-row transactions (sqlite_txn.c, the pragmas relais sets), the baseline of
#    the write row;
#  - relais on /healthz, /api/v1/me (bearer token), /api/v1/participants (200 rows),
#    /participants (HTML, browser session) and POST /api/v1/participants;
#  - relais's idle RSS after 200 participants and its cold start (exec to a first 200 on /healthz);
# then prints one table with req/s, p50, p99, the ratio to the baseline and the issue's goals,
# and runs the sweep and report benchmarks.
# BENCH_SECONDS (default 7), BENCH_CONNECTIONS (32), BENCH_PROBE_SECONDS (3, per raw mode tried),
# BENCH_STARTS (7, cold starts) tune it; BENCH_TABLE_ONLY=1 stops after the table.
set -euo pipefail
cd "$(dirname "$0")/.."
SECONDS_PER_RUN=${BENCH_SECONDS:-7}
CONNECTIONS=${BENCH_CONNECTIONS:-32}
PROBE_SECONDS=${BENCH_PROBE_SECONDS:-3}
STARTS=${BENCH_STARTS:-7}
PARTICIPANTS=200
RELAIS=$PWD/.build/release/relais
CORES=$(nproc)
for tool in wrk gcc; do
    command -v $tool >/dev/null || { sudo=""; [ "$(id -u)" = 0 ] || sudo=sudo; $sudo apt-get update -qq && $sudo apt-get install -y -qq $tool; }
done

work=$(mktemp -d)
relais_pid=""; hello_pid=""
cleanup() {
    for pid in $relais_pid $hello_pid; do kill "$pid" 2>/dev/null || true; done
    wait 2>/dev/null || true
    rm -rf "$work"
}
trap cleanup EXIT

gcc -O2 -o "$work/hello" Benchmarks/hello.c $(pkg-config --cflags --libs libmicrohttpd)
gcc -O2 -o "$work/sqlite_txn" Benchmarks/sqlite_txn.c $(pkg-config --cflags --libs sqlite3)

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
wait_port() { python3 - "$1" <<'EOF'
import socket, sys, time
for _ in range(300):
    try:
        socket.create_connection(("127.0.0.1", int(sys.argv[1])), timeout=1).close(); sys.exit(0)
    except OSError: time.sleep(0.05)
sys.exit("nothing listens on port %s" % sys.argv[1])
EOF
}

# wrk -t2 -cN --latency [ARGS...] URL -> "req/s p50 p99" (latencies in ms). A 4xx/5xx answer or
# a failed connection stops the benchmark; requests over wrk's timeout (10 s) are counted aside
# and reported below the table.
measure() {
    local seconds=$1; shift
    wrk -t2 -c"$CONNECTIONS" -d"${seconds}s" --timeout 10s --latency "$@" | python3 -c '
import re, sys
text = sys.stdin.read()
def ms(label):
    m = re.search(r"^\s*" + label + r"%\s+([\d.]+)(us|ms|s)\s*$", text, re.M)
    value, unit = float(m.group(1)), m.group(2)
    return value / 1000 if unit == "us" else value * 1000 if unit == "s" else value
rps = float(re.search(r"Requests/sec:\s+([\d.]+)", text).group(1))
bad = re.search(r"Non-2xx or 3xx responses:\s+(\d+)", text)
if bad: sys.exit("wrk saw %s error responses:\n%s" % (bad.group(1), text))
errors = re.search(r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", text)
if errors and int(errors.group(1)): sys.exit("wrk could not connect:\n" + text)
if errors and int(errors.group(4)):
    open(sys.argv[1], "a").write("%s requests timed out (over 10 s) on %s\n" % (errors.group(4), sys.argv[2]))
print("%.0f %.2f %.2f" % (rps, ms("50"), ms("99")))' "$work/timeouts.txt" "${@: -1}"
}

results=$work/results
: >"$results"; : >"$work/timeouts.txt"
# row NAME RPS P50 P99 BASELINE_NAME BASELINE_RPS GOAL_RATIO [P99_GOAL_MS] [NOTE]
row() { printf '%s\t' "$@" >>"$results"; printf '\n' >>"$results"; }

echo "relais benchmark: wrk -t2 -c$CONNECTIONS, ${SECONDS_PER_RUN}s per row, on $CORES cores ($(uname -r))"
# Other processes on the cores skew every row, and not evenly (relais runs more threads than the
# raw server, so it gets a larger share of a busy machine): say so before the numbers.
read -r load _ </proc/loadavg
if python3 -c "import sys; sys.exit(0 if float('$load') > 0.5 * $CORES else 1)"; then
    echo "WARNING: load average $load on $CORES cores before the run: other processes compete for the CPU, the numbers below are not reliable"
fi

# 1. The raw server: every event loop of libmicrohttpd with a pool of one thread per core (and the
#    epoll pool at other sizes), briefly; the fastest becomes the baseline, measured in full.
echo "raw libmicrohttpd configurations (${PROBE_SECONDS}s each):"
best_rps=0; best=""
for config in "epoll $CORES" "epoll-turbo $CORES" "poll $CORES" "select $CORES" "per-connection 0" "epoll 1" "epoll $((CORES * 2))" "epoll-turbo $((CORES * 4))"; do
    port=$(free_port)
    # shellcheck disable=SC2086
    "$work/hello" "$port" $config & hello_pid=$!
    wait_port "$port"
    out=$(measure "$PROBE_SECONDS" "http://127.0.0.1:$port/healthz") || exit 1
    read -r rps p50 p99 <<<"$out"
    kill "$hello_pid"; wait "$hello_pid" 2>/dev/null || true; hello_pid=""
    printf '  %-22s %8s req/s  p50 %6s ms  p99 %6s ms\n' "$config" "$rps" "$p50" "$p99"
    if [ "$rps" -gt "$best_rps" ]; then best_rps=$rps; best=$config; fi
done
port=$(free_port)
# shellcheck disable=SC2086
"$work/hello" "$port" $best & hello_pid=$!
wait_port "$port"
out=$(measure "$SECONDS_PER_RUN" "http://127.0.0.1:$port/healthz") || exit 1
read -r raw_rps raw_p50 raw_p99 <<<"$out"
kill "$hello_pid"; wait "$hello_pid" 2>/dev/null || true; hello_pid=""
raw_name="raw C libmicrohttpd \"hello\" ($best)"
row "$raw_name" "$raw_rps" "$raw_p50" "$raw_p99" "-" "$raw_rps" "-"

# 2. Raw SQLite: single-row transactions on the same disk, as long as one row of wrk.
out=$("$work/sqlite_txn" "$work/raw.sqlite" "$SECONDS_PER_RUN") || exit 1
read -r sql_tps sql_p50 sql_p99 <<<"$out"
row "raw SQLite single-row transactions" "$sql_tps" "$sql_p50" "$sql_p99" "-" "$sql_tps" "-"

# 3. Relais on a new data folder, with its embedded defaults but the port.
relais_port=$(free_port)
"$RELAIS" serve --data-dir "$work/var" --port "$relais_port" 2>"$work/relais.log" & relais_pid=$!
wait_port "$relais_port"
echo "bench password" | "$RELAIS" user add bench --role coordinator --data-dir "$work/var" >/dev/null
token=$("$RELAIS" token issue bench --data-dir "$work/var" 2>/dev/null)
base="http://127.0.0.1:$relais_port"

# 200 participants through the API, and a browser session through the login form (CSRF included).
cookie=$(python3 - "$base" "$token" "$PARTICIPANTS" <<'EOF'
import http.cookiejar, json, re, sys, urllib.parse, urllib.request
base, token, count = sys.argv[1], sys.argv[2], int(sys.argv[3])
for i in range(count):
    body = json.dumps({"firstName": "Prenom%03d" % i, "lastName": "Banc", "phone": "06 11 22 33 44"}).encode()
    request = urllib.request.Request(base + "/api/v1/participants", data=body, method="POST",
                                     headers={"Authorization": "Bearer " + token, "Content-Type": "application/json"})
    assert urllib.request.urlopen(request).status == 201
jar = http.cookiejar.CookieJar()
opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar))
form = opener.open(base + "/login").read().decode()
csrf = re.search(r'name="_csrf" value="([^"]+)"', form).group(1)
opener.open(base + "/login", urllib.parse.urlencode({"_csrf": csrf, "name": "bench", "password": "bench password"}).encode())
session = [c.value for c in jar if c.name == "relais_session"]
assert session, "the login form gave no session"
print(session[0])
EOF
)
sleep 2
rss_kb() { awk '/^VmRSS/ {print $2}' "/proc/$1/status"; }
idle_rss=$(rss_kb "$relais_pid")

# Each path answers what it should before it is loaded (wrk counts a redirect to /login as a success).
python3 - "$base" "$token" "$cookie" "$PARTICIPANTS" <<'EOF'
import json, sys, urllib.request
base, token, cookie, count = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4])
class NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args): return None
opener = urllib.request.build_opener(NoRedirect)
def get(path, **headers):
    response = opener.open(urllib.request.Request(base + path, headers=headers))
    assert response.status == 200, (path, response.status)
    return response.read()
assert json.loads(get("/healthz"))["status"] == "ok"
assert json.loads(get("/api/v1/me", Authorization="Bearer " + token))["name"] == "bench"
listed = json.loads(get("/api/v1/participants?limit=%d" % count, Authorization="Bearer " + token))["participants"]
assert len(listed) == count, "GET /api/v1/participants listed %d participants, not %d" % (len(listed), count)
page = get("/participants", Cookie="relais_session=" + cookie).decode()
assert page.count("Prenom") >= count, "the participants page does not list the %d participants" % count
EOF

relais_row() {
    local name=$1 baseline=$2 baseline_rps=$3 goal=$4 p99_goal=$5; shift 5
    local out
    out=$(measure "$SECONDS_PER_RUN" "$@") || exit 1
    read -r rps p50 p99 <<<"$out"
    row "$name" "$rps" "$p50" "$p99" "$baseline" "$baseline_rps" "$goal" "$p99_goal"
}
relais_row "GET /healthz" http "$raw_rps" - - "$base/healthz"
relais_row "GET /api/v1/me (bearer token)" http "$raw_rps" 0.30 - -H "Authorization: Bearer $token" "$base/api/v1/me"
relais_row "GET /api/v1/participants ($PARTICIPANTS rows)" http "$raw_rps" 0.02 100 \
    -H "Authorization: Bearer $token" "$base/api/v1/participants?limit=$PARTICIPANTS"
relais_row "GET /participants (HTML, $PARTICIPANTS rows)" http "$raw_rps" 0.01 - -H "Cookie: relais_session=$cookie" "$base/participants"
# Last, since it adds participants; each body is a new person (thread and counter in the name).
cat >"$work/post.lua" <<'EOF'
local threads, counter = 0, 0
function setup(thread) threads = threads + 1; thread:set("id", threads) end
function init(args) wrk.headers["Content-Type"] = "application/json" end
function request()
    counter = counter + 1
    local body = string.format('{"firstName":"Charge%d","lastName":"Banc%d","phone":"06 11 22 33 44"}', id, counter)
    return wrk.format("POST", nil, nil, body)
end
EOF
relais_row "POST /api/v1/participants" sqlite "$sql_tps" 0.05 - -s "$work/post.lua" \
    -H "Authorization: Bearer $token" "$base/api/v1/participants"
sleep 2
loaded_rss=$(rss_kb "$relais_pid")
kill "$relais_pid"; wait "$relais_pid" 2>/dev/null || true; relais_pid=""

# 4. Cold start: exec of `relais serve` on the data folder above to its first 200 on /healthz.
cold=$(python3 - "$RELAIS" "$work/var" "$STARTS" <<'EOF'
import os, socket, statistics, subprocess, sys, time
relais, data, starts = sys.argv[1], sys.argv[2], int(sys.argv[3])
times, cpu = [], []
ticks = os.sysconf("SC_CLK_TCK")
for _ in range(starts):
    s = socket.socket(); s.bind(("127.0.0.1", 0)); port = s.getsockname()[1]; s.close()
    started = time.monotonic()
    process = subprocess.Popen([relais, "serve", "--data-dir", data, "--port", str(port)], stderr=subprocess.DEVNULL)
    while True:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=1) as c:
                c.sendall(b"GET /healthz HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
                if c.recv(64).startswith(b"HTTP/1.1 200"): break
        except OSError:
            pass
        if process.poll() is not None: sys.exit("relais serve exited with %d" % process.returncode)
        time.sleep(0.001)
    times.append((time.monotonic() - started) * 1000)
    # The CPU time the process used to get there (user + system, all threads): what a busy machine does not change.
    fields = open("/proc/%d/stat" % process.pid).read().rsplit(")", 1)[1].split()
    cpu.append((int(fields[11]) + int(fields[12])) * 1000 / ticks)
    process.terminate(); process.wait()
print("%.0f %.0f %.0f %.0f" % (statistics.median(times), min(times), max(times), statistics.median(cpu)))
EOF
)
read -r cold_median cold_min cold_max cold_cpu <<<"$cold"
[ -n "$cold_median" ] || exit 1

python3 - "$results" "$idle_rss" "$loaded_rss" "$cold_median" "$cold_min" "$cold_max" "$STARTS" "$cold_cpu" <<'EOF'
import sys
path, idle_kb, loaded_kb, cold, cold_min, cold_max, starts, cold_cpu = sys.argv[1:]
rows = [line.rstrip("\n").split("\t") for line in open(path) if line.strip()]
table = [("path", "req/s", "p50 ms", "p99 ms", "ratio", "goal", "")]
met = total = 0
for name, rps, p50, p99, baseline, baseline_rps, goal, *rest in rows:
    p99_goal = rest[0] if rest and rest[0] not in ("", "-") else None
    rps = float(rps)
    if baseline == "-":
        table.append((name, "%.0f" % rps, p50, p99, "1.00", "baseline", ""))
        continue
    ratio = rps / float(baseline_rps)
    of = "of raw SQLite txn/s" if baseline == "sqlite" else "of raw"
    shown = ("%.4f" if ratio < 0.01 else "%.3f" if ratio < 0.1 else "%.2f") % ratio
    if goal == "-":
        table.append((name, "%.0f" % rps, p50, p99, shown, "", ""))
        continue
    ok = ratio >= float(goal)
    goal_text = "≥ %s %s" % (goal, of)
    if p99_goal:
        ok = ok and float(p99) < float(p99_goal)
        goal_text += ", p99 < %s ms" % p99_goal
    met += ok; total += 1
    table.append((name, "%.0f" % rps, p50, p99, shown, goal_text, "PASS" if ok else "FAIL"))
widths = [max(len(r[i]) for r in table) for i in range(len(table[0]))]
def line(cells): return "| " + " | ".join(c.ljust(w) if i in (0, 5) else c.rjust(w) for i, (c, w) in enumerate(zip(cells, widths))) + " |"
print()
print(line(table[0]))
print("|" + "|".join("-" * (w + 2) for w in widths) + "|")
for r in table[1:]: print(line(r))
idle_mb, loaded_mb = int(idle_kb) / 1024, int(loaded_kb) / 1024
rss_ok, cold_ok = idle_mb < 40, float(cold) < 300
met += rss_ok + cold_ok; total += 2
print()
print("idle RSS after %s participants: %.1f MB (goal < 40 MB) %s; after the load above: %.1f MB"
      % (200, idle_mb, "PASS" if rss_ok else "FAIL", loaded_mb))
print("cold start, exec to a first 200 on /healthz: median %s ms of %s starts (%s–%s ms; CPU time %s ms) (goal < 300 ms) %s"
      % (cold, starts, cold_min, cold_max, cold_cpu, "PASS" if cold_ok else "FAIL"))
print("goals met: %d of %d" % (met, total))
EOF
cat "$work/timeouts.txt"

[ -n "${BENCH_TABLE_ONLY:-}" ] && exit 0

# The reminder sender's sweep over 1,000,000 enrolments and 100,000 pending messages.
echo
.build/release/relais-sweep-bench

# The yearly evaluation report over 100 programmes × 16 participants with full data.
echo
.build/release/relais-report-bench
