#!/usr/bin/env bash
# Gatehouse benchmark harness: builds release, starts what it needs on 127.0.0.1, drives load with wrk, stops
# everything it started, and writes docs/benchmarks.md (table) and Benchmarks/results/<UTC date>.txt (raw output).
#
#   Benchmarks/run.sh [--quick] [--binary PATH] [--database-url URL]
#
#   --quick              shorter: 15 s instead of 60 s of mixed traffic, 100,000 instead of 1,000,000 users for the
#                        growth scenario, bcrypt median of 5 instead of 10 (every other wrk run stays 15 s, the peer's
#                        setting); finishes in < 10 min on 2 cores after the first build
#   --binary PATH        use this gatehouse binary instead of `swift build -c release --product gatehouse`
#   --database-url URL   passed on to every `gatehouse serve` / `migrate` (default: SQLite in a temp data dir);
#                        the growth scenario seeds SQLite files directly and is skipped for other URLs
#
# Environment (optional): BENCH_BINARY_REV (the commit a --binary was built from, for the report), BENCH_SCRATCH (build folder of the two helper packages, default Benchmarks/.build),
# PEER_VENV (fastapi-users venv, default /tmp/peer-fastapi-users/venv; created from the peer's requirements.txt when
# missing), BENCH_DURATION / BENCH_MIXED_DURATION / BENCH_GROWTH_USERS (override the run lengths).
# Needs: swift, wrk, curl, python3, sqlite3 (for the growth scenario), the peer at ../shared/peers/fastapi-users.
set -euo pipefail
{ # the whole script is one compound command, parsed before it runs: editing this file mid-run is harmless

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
ROOT=$(cd "$HERE/.." && pwd)
PEER_DIR=$(cd "$ROOT/../shared/peers/fastapi-users" 2>/dev/null && pwd || echo "$ROOT/../shared/peers/fastapi-users")
cd "$HERE"   # the wrk scripts load wrk/common.lua relative to this folder

QUICK=0; BINARY=""; DB_URL=""
while (( $# )); do
    case $1 in
        --quick) QUICK=1 ;;
        --binary) BINARY=$2; shift ;;
        --binary=*) BINARY=${1#*=} ;;
        --database-url) DB_URL=$2; shift ;;
        --database-url=*) DB_URL=${1#*=} ;;
        -h|--help) sed -n '2,/^set -euo/p' "$HERE/run.sh" | grep '^#' | sed 's/^# \{0,1\}//'; exit 0 ;;
        *) echo "unknown argument: $1" >&2; exit 64 ;;
    esac
    shift
done

if (( QUICK )); then
    DURATION=${BENCH_DURATION:-15s}; MIXED_DURATION=${BENCH_MIXED_DURATION:-15s}
    GROWTH_BIG=${BENCH_GROWTH_USERS:-100000}; BCRYPT_N=5
else
    DURATION=${BENCH_DURATION:-15s}; MIXED_DURATION=${BENCH_MIXED_DURATION:-60s}
    GROWTH_BIG=${BENCH_GROWTH_USERS:-1000000}; BCRYPT_N=10
fi
WRK_OPTS=(-t2 --latency --timeout 30s)   # the peer's settings: -t2, -c64 for reads, -c16 for bcrypt endpoints
NCPU=$(nproc); HZ=$(getconf CLK_TCK)
GH_PORT=8721; BASE_PORT=8722; GROW_PORT=8723; START_PORT=8724; PEER_PORT=8701
SCRATCH=${BENCH_SCRATCH:-$HERE/.build}
PEER_VENV=${PEER_VENV:-/tmp/peer-fastapi-users/venv}
EMAIL=bench-user@example.com; PASSWORD='Corr3ct-Horse!'
PEER_PASSWORD="correct horse battery staple"
DATE=$(date -u +%F)
RAW_NAME="$DATE$( (( QUICK )) && echo -quick || true).txt"
mkdir -p "$HERE/results"
RAW="$HERE/results/$RAW_NAME"
WORK=$(mktemp -d /tmp/gatehouse-bench.XXXXXX)
FACTS="$WORK/facts"
: >"$FACTS"

for tool in wrk curl python3 swift; do
    command -v $tool >/dev/null || { echo "missing: $tool (apt-get install -y wrk curl)" >&2; exit 1; }
done

# --- processes we start; all stopped on exit ------------------------------------------------
PIDS=()
stop_pid() {  # stop_pid PID: SIGTERM, wait up to 60 s (servers finish queued bcrypt work), then SIGKILL
    local pid=$1 i
    kill -TERM "$pid" 2>/dev/null || return 0
    for i in $(seq 600); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
    kill -KILL "$pid" 2>/dev/null || true
    wait "$pid" 2>/dev/null || true
}
cleanup() {
    local p
    for p in "${PIDS[@]}"; do
        pkill -TERM -P "$p" 2>/dev/null || true   # children of our own servers (uvicorn workers) only
        stop_pid "$p"
    done
    rm -rf "$WORK"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

exec > >(tee "$RAW") 2>&1
log() { echo "== $(date -u +%H:%M:%S) $*"; }
fact() { echo "FACT $1 $2" >>"$FACTS"; }
note() { NOTES+=("$1"); }
NOTES=()

# --- builds ---------------------------------------------------------------------------------
T_START=$(date +%s)
log "Gatehouse benchmark$( (( QUICK )) && echo ' (--quick)' || true) -> $RAW"
BINARY_GIVEN=$BINARY
if [[ -z $BINARY ]]; then
    log "building gatehouse (swift build -c release --product gatehouse)"
    (cd "$ROOT" && swift build -c release --product gatehouse)
    BINARY="$(cd "$ROOT" && swift build -c release --show-bin-path)/gatehouse"
fi
[[ -x $BINARY ]] || { echo "no gatehouse binary at $BINARY" >&2; exit 1; }
for pkg in BcryptLimit FrameworkBaseline; do
    log "building Benchmarks/$pkg"
    swift build -c release --package-path "$HERE/$pkg" --scratch-path "$SCRATCH/$pkg" 2>&1 | tail -1
done
BCRYPT_LIMIT="$SCRATCH/BcryptLimit/release/BcryptLimit"
BASELINE="$SCRATCH/FrameworkBaseline/release/FrameworkBaseline"
if [[ ! -x $PEER_VENV/bin/uvicorn ]]; then
    log "creating the peer venv $PEER_VENV"
    python3 -m venv "$PEER_VENV" && "$PEER_VENV/bin/pip" install -q -r "$PEER_DIR/requirements.txt"
fi

# --- machine and versions --------------------------------------------------------------------
CPU_MODEL=$(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2- | sed 's/^ *//')
fact date "$(date -u '+%F %H:%M UTC')"
fact nproc "$NCPU"
fact quick "$QUICK"
fact machine "$NCPU cores (nproc), $CPU_MODEL, $(awk '/MemTotal/{printf "%.1f GB RAM", $2/1048576}' /proc/meminfo), Linux $(uname -r)"
fact swift "$(swift --version 2>&1 | grep -m1 -o 'Swift version [^ ]* ([^)]*)')"
REPO_REV="$(git -C "$ROOT" rev-parse --short HEAD 2>/dev/null || echo '?')$(git -C "$ROOT" diff --quiet HEAD -- Sources Package.swift 2>/dev/null || echo ', Sources modified')"
if [[ -n $BINARY_GIVEN ]]; then
    fact gatehouse "$("$BINARY" --version), binary given with --binary: $BINARY (built from ${BENCH_BINARY_REV:-a commit this script does not know; set BENCH_BINARY_REV}); repo at $REPO_REV"
else
    fact gatehouse "$("$BINARY" --version), built from the repo at $REPO_REV"
fi
fact wrk "$(wrk -v 2>&1 | head -1 | sed 's/ Copyright.*//')"
fact python "$("$PEER_VENV/bin/python" --version 2>&1)"
fact peer "$("$PEER_VENV/bin/pip" freeze 2>/dev/null | grep -iE '^(fastapi|fastapi-users|fastapi-users-db-sqlalchemy|uvicorn|uvloop|httptools|sqlalchemy|aiosqlite|bcrypt|pwdlib)==' | tr '\n' ' ')(from $PEER_DIR, 2 uvicorn workers, --loop uvloop --http httptools --no-access-log)"
fact bcrypt_lib "HummingbirdBcrypt from hummingbird-auth 2.5.0 (Benchmarks/BcryptLimit), cost 12"
fact wrk_settings "\`wrk -t2 --latency --timeout 30s\`, -c64 for /users/me, -c16 for login, register and refresh, -d$DURATION each (peer: same); mixed -c16 for $MIXED_DURATION; a 3 s /users/me warm-up before recorded read runs"
grep '^FACT' "$FACTS" | cut -d' ' -f2- | sed 's/^/   /'
echo "   database: ${DB_URL:-SQLite file in a temp data dir (default)}"

# --- CPU accounting (as in the peer's bench.sh) ---------------------------------------------
machine_busy() { awk '/^cpu /{print $2+$3+$4+$7+$8}' /proc/stat; }
machine_total() { awk '/^cpu /{s=0; for(i=2;i<=NF;i++) s+=$i; print s}' /proc/stat; }
tree_jiffies() {  # utime+stime of PID and its children
    local p s=0 j
    for p in $1 $(pgrep -P "$1" 2>/dev/null || true); do
        j=$(sed 's/^.*) //' "/proc/$p/stat" 2>/dev/null | awk '{print $12+$13}') || j=0
        s=$((s + ${j:-0}))
    done
    echo $s
}
# wait until the whole machine was below 15 % busy for one 2-s sample (lets servers drain work left over from the
# previous scenario, and waits out other jobs on the machine), at most 90 s
wait_quiet() {
    local waited=0 b0 t0 pct
    while :; do
        b0=$(machine_busy); t0=$(machine_total); sleep 2; waited=$((waited + 2))
        pct=$(( 100 * ($(machine_busy) - b0) / ($(machine_total) - t0 > 0 ? $(machine_total) - t0 : 1) ))
        (( pct < 15 )) && return
        if (( waited >= ${BENCH_QUIET_MAX:-90} )); then log "WARNING: CPU still ${pct}% busy after ${waited}s"; ps -eo pid,pcpu,comm --sort=-pcpu | head -5; return; fi
    done
}

# run_wrk LABEL SERVER_PID wrk-args...: records "RES LABEL <RESULT fields> server_cpu_s=.. other_cpu_s=.."
run_wrk() {
    local label=$1 spid=$2; shift 2
    local out="$WORK/wrk-$label.out" b0 t0 s0 b1 t1 s1 wrk_s
    echo; wait_quiet
    log "$label: wrk $*"
    b0=$(machine_busy); t0=$(machine_total); s0=$(tree_jiffies "$spid")
    TIMES_FILE="$WORK/times" bash -c 'wrk "$@"; rc=$?; times >"$TIMES_FILE"; exit $rc' _ "$@" | tee "$out"
    b1=$(machine_busy); t1=$(machine_total); s1=$(tree_jiffies "$spid")
    wrk_s=$(sed -n 2p "$WORK/times" | awk '{t=0; for(i=1;i<=2;i++){split($i,a,/[ms]/); t+=a[1]*60+a[2]} printf "%.2f", t}')
    local cpu
    cpu=$(awk -v b=$((b1 - b0)) -v t=$((t1 - t0)) -v s=$((s1 - s0)) -v w="$wrk_s" -v hz="$HZ" 'BEGIN{
        printf "busy_pct=%.0f server_cpu_s=%.1f wrk_cpu_s=%.1f other_cpu_s=%.1f", 100*b/(t>0?t:1), s/hz, w, b/hz - s/hz - w }')
    echo "CPU during run: $cpu"
    local res ok
    res=$(grep '^RESULT' "$out" | sed 's/^RESULT //')
    ok=$(awk -v r="$res" 'BEGIN{split(r,a," "); for(i in a){split(a[i],kv,"="); v[kv[1]]=kv[2]}
        printf "%.2f", (v["requests"]-v["non2xx"])/v["duration_s"]}')
    echo "RES $label $res ok_rps=$ok $cpu" >>"$FACTS"
}

# --- servers ---------------------------------------------------------------------------------
gh_env=(GATEHOUSE_RATE_LIMITS_ENABLED=false GATEHOUSE_BCRYPT_COST=12 GATEHOUSE_METRICS_ENABLED=true
        GATEHOUSE_LOCKOUT_THRESHOLD=1000 GATEHOUSE_HASH_QUEUE_LIMIT=1000 GATEHOUSE_LOG_LEVEL=info)
db_args() { [[ -n $DB_URL ]] && echo "--database-url $DB_URL" || true; }
wait_ready() {  # wait_ready URL PID
    local i
    for i in $(seq 600); do
        curl -fs -o /dev/null "$1" && return 0
        kill -0 "$2" 2>/dev/null || { echo "server died" >&2; return 1; }
        sleep 0.05
    done
    echo "server not ready: $1" >&2; return 1
}
GH_PID=""
start_gatehouse() {  # start_gatehouse DATA_DIR PORT
    mkdir -p "$1"; chmod 700 "$1"
    env "${gh_env[@]}" "$BINARY" serve --data-dir "$1" --port "$2" $(db_args) >>"$1.log" 2>&1 &
    GH_PID=$!; PIDS+=("$GH_PID")
    wait_ready "http://127.0.0.1:$2/health/ready" "$GH_PID"
    log "gatehouse up: pid $GH_PID, port $2, data $1"
}
stop_server() { stop_pid "$1"; log "stopped pid $1"; }
rss_kb() { awk '/VmRSS/{print $2}' "/proc/$1/status"; }
rss_detail() {  # VmRSS and its split; Pss/private from smaps_rollup (shared library pages count once per process in RSS)
    awk '/^(VmRSS|RssAnon|RssFile|Threads)/{printf "%s %s ", $1, $2}' "/proc/$1/status"
    awk '/^Pss:/{p=$2} /^Private_(Clean|Dirty):/{v+=$2} END{printf "Pss: %s Private: %s", p, v}' "/proc/$1/smaps_rollup" 2>/dev/null || true
}

# === 0. bcrypt limit ==========================================================================
echo; wait_quiet
log "bcrypt limit: $BCRYPT_LIMIT $BCRYPT_N 12 $NCPU"
"$BCRYPT_LIMIT" "$BCRYPT_N" 12 "$NCPU" | tee "$WORK/bcrypt.out"
LIMIT=$(grep '^LIMIT' "$WORK/bcrypt.out")
for k in verify_median_ms hash_median_ms ideal_logins_per_s ideal_registers_per_s; do
    fact $k "$(echo "$LIMIT" | grep -o "$k=[0-9.]*" | cut -d= -f2)"
done
fact bcrypt_n "$BCRYPT_N"
IDEAL_LOGINS=$(echo "$LIMIT" | grep -o 'ideal_logins_per_s=[0-9.]*' | cut -d= -f2)

# === 6c. start-up time ==========================================================================
echo; wait_quiet
D0="$WORK/gh-startup"; mkdir -p "$D0"; chmod 700 "$D0"
log "start-up: first start (creates the secret, migrates), then 5 timed starts on that data dir"
python3 "$HERE/benchlib.py" startup 1 $START_PORT -- env "${gh_env[@]}" "$BINARY" serve --data-dir "$D0" --port $START_PORT $(db_args) | sed 's/^STARTUP/FIRST-START/'
python3 "$HERE/benchlib.py" startup 5 $START_PORT -- env "${gh_env[@]}" "$BINARY" serve --data-dir "$D0" --port $START_PORT $(db_args) | tee "$WORK/startup.out"
fact startup_median_ms "$(grep -o 'median_ms=[0-9.]*' "$WORK/startup.out" | cut -d= -f2)"

# === main instance: 1-6 ==========================================================================
echo; wait_quiet
D1="$WORK/gh-main"
start_gatehouse "$D1" $GH_PORT
GH="http://127.0.0.1:$GH_PORT"
sleep 2
fact rss_idle_kb "$(rss_kb "$GH_PID")"
log "idle RSS after start: $(rss_detail "$GH_PID") (kB)"
fact rss_idle_detail "$(rss_detail "$GH_PID")"
python3 "$HERE/benchlib.py" register "$GH" "$EMAIL" "$PASSWORD"
ACCESS=$(python3 "$HERE/benchlib.py" tokens "$GH" "$EMAIL" "$PASSWORD" 16 "$WORK/refresh-tokens")
python3 "$HERE/benchlib.py" tokens "$GH" "$EMAIL" "$PASSWORD" 16 "$WORK/mixed-tokens" >/dev/null
python3 "$HERE/benchlib.py" get "$GH" /api/v1/users/me "$ACCESS" "$WORK/me-body.json"
log "bench user registered, 32 sessions; /users/me -> $(head -c 300 "$WORK/me-body.json")"
log "warm-up (not recorded): /users/me 3 s"
wrk -t2 -c64 -d3s -s wrk/me.lua "$GH" -- "$ACCESS" | grep Requests/sec

run_wrk me "$GH_PID" "${WRK_OPTS[@]}" -c64 -d$DURATION -s wrk/me.lua "$GH" -- "$ACCESS"
run_wrk login "$GH_PID" "${WRK_OPTS[@]}" -c16 -d$DURATION -s wrk/login.lua "$GH" -- "$EMAIL" "$PASSWORD"
run_wrk refresh "$GH_PID" "${WRK_OPTS[@]}" -c16 -d$DURATION -s wrk/refresh.lua "$GH" -- "$WORK/refresh-tokens" 2
run_wrk register "$GH_PID" "${WRK_OPTS[@]}" -c16 -d$DURATION -s wrk/register.lua "$GH" -- "$(date +%s)"
# mixed: offer 1 % logins at half the bcrypt limit -> total rate = 50 x ideal logins/s
MIXED_RATE=$(awk -v l="$IDEAL_LOGINS" 'BEGIN{printf "%d", 50*l}')
fact mixed_rate "$MIXED_RATE"; fact mixed_duration "$MIXED_DURATION"
run_wrk mixed "$GH_PID" "${WRK_OPTS[@]}" -c16 -d$MIXED_DURATION -s wrk/mixed.lua "$GH" -- \
    "$ACCESS" "$WORK/mixed-tokens" 2 "$EMAIL" "$PASSWORD" "$MIXED_RATE" 16
fact rss_after_mixed_kb "$(rss_kb "$GH_PID")"
log "RSS at the end of the mixed run: $(rss_detail "$GH_PID") (kB)"
log "users in the store: $(curl -s -o /dev/null -w '%{http_code}' "$GH/health") (health); log lines: $(wc -l <"$D1.log")"
stop_server "$GH_PID"
if grep -qiE ' (error|critical) ' "$D1.log"; then log "error lines in the gatehouse log:"; grep -iE ' (error|critical) ' "$D1.log" | sort | uniq -c | sort -rn | head -5; fi

# diagnostic: the same /users/me run with GATEHOUSE_LOG_LEVEL=warning (the default, info, writes one line per request)
echo; wait_quiet
gh_env_info=("${gh_env[@]}"); gh_env+=(GATEHOUSE_LOG_LEVEL=warning)
start_gatehouse "$D1" $GH_PORT
wrk -t2 -c64 -d3s -s wrk/me.lua "$GH" -- "$ACCESS" | grep Requests/sec
run_wrk me-log-warning "$GH_PID" "${WRK_OPTS[@]}" -c64 -d$DURATION -s wrk/me.lua "$GH" -- "$ACCESS"
stop_server "$GH_PID"
gh_env=("${gh_env_info[@]}")

# === 2b. framework baseline =======================================================================
echo; wait_quiet
"$BASELINE" $BASE_PORT "$WORK/me-body.json" >"$WORK/baseline.log" 2>&1 &
BPID=$!; PIDS+=("$BPID")
wait_ready "http://127.0.0.1:$BASE_PORT/health/ready" "$BPID"
sleep 2
fact rss_baseline_idle_kb "$(rss_kb "$BPID")"
log "framework baseline up: pid $BPID (Hummingbird 2.28.1, fixed $(wc -c <"$WORK/me-body.json")-byte body); idle $(rss_detail "$BPID") (kB)"
wrk -t2 -c64 -d3s -s wrk/me.lua "http://127.0.0.1:$BASE_PORT" -- "$ACCESS" | grep Requests/sec
run_wrk baseline-me "$BPID" "${WRK_OPTS[@]}" -c64 -d$DURATION -s wrk/me.lua "http://127.0.0.1:$BASE_PORT" -- "$ACCESS"
stop_server "$BPID"

# === 7. growth ======================================================================================
if [[ -n $DB_URL && $DB_URL != sqlite* ]]; then
    log "growth scenario skipped: it seeds SQLite files directly and --database-url is $DB_URL"
    note "Growth (7) skipped: --database-url $DB_URL is not SQLite."
else
    fact growth_big "$GROWTH_BIG"
    (( QUICK )) && note "--quick: the growth scenario uses $GROWTH_BIG users instead of 1,000,000."
    for size in 1000 "$GROWTH_BIG"; do
        tag=$([[ $size == 1000 ]] && echo 1k || echo big)
        echo; log "growth: $size users"
        DG="$WORK/gh-growth-$tag"; mkdir -p "$DG"; chmod 700 "$DG"
        env "${gh_env[@]}" "$BINARY" migrate --data-dir "$DG" --log-level warning
        start_gatehouse "$DG" $GROW_PORT
        python3 "$HERE/benchlib.py" register "http://127.0.0.1:$GROW_PORT" seed-1@example.com "$PASSWORD"
        stop_server "$GH_PID"
        HASH=$(sqlite3 "$DG/gatehouse.sqlite" "SELECT password_hash FROM users WHERE email_key='seed-1@example.com'")
        python3 "$HERE/benchlib.py" seed "$DG/gatehouse.sqlite" "$size" "$HASH"
        wait_quiet
        start_gatehouse "$DG" $GROW_PORT
        GB="http://127.0.0.1:$GROW_PORT"
        TOKEN=$(python3 "$HERE/benchlib.py" tokens "$GB" "seed-$((size / 2))@example.com" "$PASSWORD" 1 "$WORK/growth-refresh")
        wrk -t2 -c64 -d3s -s wrk/me.lua "$GB" -- "$TOKEN" | grep Requests/sec
        run_wrk "growth-$tag-me" "$GH_PID" "${WRK_OPTS[@]}" -c64 -d$DURATION -s wrk/me.lua "$GB" -- "$TOKEN"
        run_wrk "growth-$tag-login" "$GH_PID" "${WRK_OPTS[@]}" -c16 -d$DURATION -s wrk/login.lua "$GB" -- \
            "seed-%d@example.com" "$PASSWORD" "$size"
        stop_server "$GH_PID"
        rm -rf "$DG"
    done
fi

# === 8. peer: fastapi-users =========================================================================
echo; wait_quiet
PW="$WORK/peer"; mkdir -p "$PW"
export PEER_DB_PATH="$PW/bench.db" PEER_JWT_SECRET=$(head -c 32 /dev/urandom | base64 | tr -d '/+=') PYTHONDONTWRITEBYTECODE=1
( cd "$PEER_DIR" && "$PEER_VENV/bin/python" -c "import asyncio, app; asyncio.run(app.create_db_and_tables())" )
( cd "$PEER_DIR" && exec "$PEER_VENV/bin/uvicorn" app:app --host 127.0.0.1 --port $PEER_PORT --workers 2 \
    --loop uvloop --http httptools --no-access-log --log-level warning ) >"$PW/uvicorn.log" 2>&1 &
PPID_=$!; PIDS+=("$PPID_")
PEER="http://127.0.0.1:$PEER_PORT"
wait_ready "$PEER/openapi.json" "$PPID_"
sleep 2   # both workers
curl -fs -o /dev/null -X POST "$PEER/auth/register" -H 'Content-Type: application/json' \
    -d "{\"email\":\"$EMAIL\",\"password\":\"$PEER_PASSWORD\"}"
PTOKEN=$(curl -fs -X POST "$PEER/auth/jwt/login" --data-urlencode "username=$EMAIL" --data-urlencode "password=$PEER_PASSWORD" \
    | python3 -c 'import json,sys; print(json.load(sys.stdin)["access_token"])')
log "peer up: uvicorn pid $PPID_, 2 workers; bench user registered"
wrk -t2 -c64 -d3s -s "$PEER_DIR/wrk/me.lua" "$PEER" -- "$PTOKEN" | grep Requests/sec
run_wrk peer-me "$PPID_" "${WRK_OPTS[@]}" -c64 -d$DURATION -s "$PEER_DIR/wrk/me.lua" "$PEER" -- "$PTOKEN"
run_wrk peer-login "$PPID_" "${WRK_OPTS[@]}" -c16 -d$DURATION -s "$PEER_DIR/wrk/login.lua" "$PEER" -- "$EMAIL" "$PEER_PASSWORD"
run_wrk peer-register "$PPID_" "${WRK_OPTS[@]}" -c16 -d$DURATION -s "$PEER_DIR/wrk/register.lua" "$PEER" -- "$(date +%s)p"
pkill -TERM -P "$PPID_" 2>/dev/null || true
stop_server "$PPID_"
if grep -q "database is locked" "$PW/uvicorn.log"; then
    note "Peer register errors: the HTTP 500s are \`sqlite3.OperationalError: database is locked\` ($(grep -c 'database is locked' "$PW/uvicorn.log") lines of uvicorn's log mention it), as in the peer's own results; wrk counts each such answer twice (a non-2xx and a socket read error: the connection is closed)."
fi

# === report ==========================================================================================
fact settings "SQLite ${DB_URL:-file in a temp data dir}; GATEHOUSE_RATE_LIMITS_ENABLED=false, GATEHOUSE_BCRYPT_COST=12, GATEHOUSE_METRICS_ENABLED=true, GATEHOUSE_LOG_LEVEL=info (to a file), GATEHOUSE_LOCKOUT_THRESHOLD=1000 (the most allowed; the default 5 answers 429 once 5 logins of one account are in flight), GATEHOUSE_HASH_QUEUE_LIMIT=1000 (the default 4 × cores = $((4 * NCPU)) sheds c16 logins with 503 by design)"
note "Mixed: wrk paces each connection (\`delay()\`) so that about $MIXED_RATE req/s are offered, i.e. logins at half the bcrypt limit; in a closed loop the 1 % of logins would set the pace of the whole mix."
note "Refresh: each wrk thread keeps a FIFO of unused refresh tokens (16 sessions to start); every 200 answer's new refresh token feeds a later request, so every request presents a token never used before."
note "Peer: fastapi-users with 2 uvicorn workers (one per core, like Gatehouse's pool), its own wrk scripts from ../shared/peers/fastapi-users/wrk/, same wrk settings; its login is form-encoded, its register answers HTTP 500 under load (counted in errors; req/s counts every response, the 2xx rate is given separately)."
fact notes "$(printf '%s || ' "${NOTES[@]}" | sed 's/ || $//')"
echo; log "summary"
grep '^RES' "$FACTS" | awk '{printf "%-20s", $2; for(i=3;i<=NF;i++) if ($i ~ /^(rps|ok_rps|p50_ms|p99_ms|non2xx|sockerr|other_cpu_s)=/) printf " %s", $i; print ""}'
cp "$FACTS" "$HERE/results/${RAW_NAME%.txt}.facts"
python3 "$HERE/benchlib.py" report "$FACTS" "$ROOT/docs/benchmarks.md" "$RAW_NAME" "$HERE/analysis.md"
log "done in $(( $(date +%s) - T_START )) s (builds included)"
exit 0
}
