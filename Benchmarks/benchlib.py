#!/usr/bin/env python3
"""Helpers for Benchmarks/run.sh (standard library only).

    benchlib.py register BASE EMAIL PASSWORD              register (201, or 409 if it exists)
    benchlib.py tokens BASE EMAIL PASSWORD K REFRESH_FILE login K times (in parallel); refresh tokens to REFRESH_FILE,
                                                          one per line; prints one access token
    benchlib.py get BASE PATH TOKEN OUT                    GET with a bearer token, body to OUT (exit 1 unless 200)
    benchlib.py seed DB N HASH                             add users seed-2..seed-N@example.com with password hash HASH
    benchlib.py startup N PORT -- CMD...                   start CMD N times, time each until GET /health/ready is 200
                                                          (monotonic clock, 5 ms polls), stop it; prints the median
    benchlib.py report FACTS OUT_MD RAW_NAME [ANALYSIS]    render docs/benchmarks.md from run.sh's facts file, then
                                                          append ANALYSIS (Benchmarks/analysis.md) verbatim
"""
import concurrent.futures
import http.client
import json
import os
import signal
import sqlite3
import statistics
import subprocess
import sys
import time
import uuid


def call(base, method, path, body=None, token=None, timeout=120):
    host, port = base.replace("http://", "").split(":")
    conn = http.client.HTTPConnection(host, int(port), timeout=timeout)
    headers = {}
    if body is not None:
        headers["Content-Type"] = "application/json"
    if token:
        headers["Authorization"] = "Bearer " + token
    conn.request(method, path, body=json.dumps(body) if body is not None else None, headers=headers)
    r = conn.getresponse()
    data = r.read()
    conn.close()
    return r.status, data


def cmd_register(base, email, password):
    status, data = call(base, "POST", "/api/v1/auth/register", {"email": email, "password": password})
    if status not in (201, 409):
        sys.exit(f"register {email}: HTTP {status} {data[:200]!r}")


def cmd_tokens(base, email, password, k, out):
    def login(_):
        # concurrent logins of one account can meet a spurious 429 (a race in the lockout bookkeeping, see
        # Benchmarks/analysis.md): retry those; the wrk scenarios count them as errors instead
        for attempt in range(10):
            status, data = call(base, "POST", "/api/v1/auth/login", {"email": email, "password": password})
            if status == 200:
                return json.loads(data)
            if status != 429:
                break
            print(f"login: HTTP 429 (attempt {attempt + 1}), retrying", file=sys.stderr)
            time.sleep(0.3)
        raise SystemExit(f"login: HTTP {status} {data[:200]!r}")
    with concurrent.futures.ThreadPoolExecutor(max_workers=4) as ex:
        pairs = list(ex.map(login, range(int(k))))
    with open(out, "w") as f:
        for p in pairs:
            f.write(p["refreshToken"] + "\n")
    print(pairs[0]["accessToken"])


def cmd_get(base, path, token, out):
    status, data = call(base, "GET", path, token=token)
    if status != 200:
        sys.exit(f"GET {path}: HTTP {status}")
    with open(out, "wb") as f:
        f.write(data)


def cmd_seed(db, n, password_hash):
    n = int(n)
    con = sqlite3.connect(db)
    now = int(time.time() * 1000)
    t0 = time.monotonic()

    def rows(start, end):
        for i in range(start, end):
            email = f"seed-{i}@example.com"
            yield (str(uuid.uuid4()), email, email, None, None, "user", 1, 1, password_hash, now + i, now + i, None, None)

    batch = 50_000
    for start in range(2, n + 1, batch):
        con.executemany("INSERT INTO users (id, email, email_key, username, full_name, role, is_active, is_verified, "
                        "password_hash, created_at, updated_at, last_login_at, deleted_at) "
                        "VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?)", rows(start, min(start + batch, n + 1)))
        con.commit()
    count = con.execute("SELECT count(*) FROM users").fetchone()[0]
    con.close()
    print(f"seeded: {count} users in {db} ({time.monotonic() - t0:.1f} s)")


def cmd_startup(n, port, cmd):
    times = []
    for _ in range(int(n)):
        t0 = time.monotonic()
        proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        while True:
            try:
                status, _ = call(f"http://127.0.0.1:{port}", "GET", "/health/ready", timeout=1)
                if status == 200:
                    break
            except OSError:
                pass
            if proc.poll() is not None:
                sys.exit(f"server exited with {proc.returncode} before it was ready")
            time.sleep(0.005)
        times.append(time.monotonic() - t0)
        proc.send_signal(signal.SIGTERM)
        proc.wait(timeout=30)
    print("startup ms: " + " ".join(f"{t * 1000:.1f}" for t in times))
    print(f"STARTUP median_ms={statistics.median(times) * 1000:.1f} n={len(times)}")


# --- report ------------------------------------------------------------------

def parse_facts(path):
    facts, res = {}, {}
    for line in open(path):
        parts = line.rstrip("\n").split(" ", 2)
        if parts[0] == "FACT":
            facts[parts[1]] = parts[2] if len(parts) > 2 else ""
        elif parts[0] == "RES":
            kv = dict(p.split("=", 1) for p in parts[2].split() if "=" in p)
            res[parts[1]] = kv
    return facts, res


def cmd_report(facts_path, out, raw_name, analysis=None):
    facts, res = parse_facts(facts_path)
    f = lambda x, d=0: "–" if x is None else f"{float(x):,.{d}f}"

    def g(label, key):
        if key == "ok_rps" and label in res:  # 2xx per second (wrk counts a 500 that closes the connection twice)
            r = res[label]
            return (int(r["requests"]) - int(r.get("non2xx", 0))) / float(r["duration_s"])
        return float(res[label][key]) if label in res and key in res[label] else None

    def ratio(a, b, d=2):
        return "–" if a is None or b in (None, 0) else f"{a / b:.{d}f}"

    def errs(label):
        if label not in res:
            return "–"
        r = res[label]
        parts = [(int(r.get("non2xx", 0)), "non-2xx"), (int(r.get("sockerr", 0)), "socket errors"),
                 (int(r.get("timeouts", 0)), "timeouts")]
        if all(n == 0 for n, _ in parts):
            return "0"
        return ", ".join(f"{n} {what}" for n, what in parts if n)

    def verdict(ok):
        return "–" if ok is None else ("met" if ok else "**missed**")

    ideal_login = float(facts["ideal_logins_per_s"])
    ideal_reg = float(facts["ideal_registers_per_s"])
    cores = int(facts["nproc"])
    rows = []
    L = rows.append
    login_rps, me_rps, base_rps = g("login", "rps"), g("me", "rps"), g("baseline-me", "rps")
    ref_rps, reg_rps = g("refresh", "rps"), g("register", "rps")
    p_login, p_me, p_reg = g("peer-login", "rps"), g("peer-me", "rps"), g("peer-register", "rps")
    big = facts.get("growth_big", "1000000")
    bigl = f"{int(big):,}"

    def lat(label):
        return f"{f(g(label, 'p50_ms'), 1)} / {f(g(label, 'p99_ms'), 1)}"

    L(("1. Login `POST /auth/login` (c16)", f"{f(login_rps, 2)} logins/s", lat("login"),
       f"bcrypt limit {ideal_login:.2f}/s", ratio(login_rps, ideal_login), "≥ 0.9",
       verdict(None if login_rps is None else login_rps / ideal_login >= 0.9), errs("login")))
    L(("2. `GET /users/me` (c64)", f"{f(me_rps)} req/s", lat("me"),
       f"Hummingbird route, same bytes: {f(base_rps)} req/s ({lat('baseline-me')} ms)", ratio(me_rps, base_rps), "≥ 0.5",
       verdict(None if me_rps is None or not base_rps else me_rps / base_rps >= 0.5), errs("me")))
    mw = g("me-log-warning", "rps")
    if mw is not None:
        L(("2′. same, diagnostic: `GATEHOUSE_LOG_LEVEL=warning` (no per-request log line)", f"{f(mw)} req/s", lat("me-log-warning"),
           "Hummingbird route, same bytes", ratio(mw, base_rps), "(≥ 0.5)",
           verdict(None if not base_rps else mw / base_rps >= 0.5), errs("me-log-warning")))
    L(("3. Refresh, fresh token each (c16)", f"{f(ref_rps)} refreshes/s", lat("refresh"),
       f"{cores} cores × 1,000/s", ratio(ref_rps, 1000 * cores), "≥ 1.0",
       verdict(None if ref_rps is None else ref_rps >= 1000 * cores), errs("refresh")))
    L(("4. Register, unique emails (c16)", f"{f(reg_rps, 2)} registrations/s", lat("register"),
       f"bcrypt limit (hash) {ideal_reg:.2f}/s", ratio(reg_rps, ideal_reg), "(none; zero errors)",
       verdict(None if reg_rps is None else errs("register") == "0"), errs("register")))
    mix = res.get("mixed", {})
    L((f"5. Mixed 90 % me / 9 % refresh / 1 % login, {facts.get('mixed_duration')} at ~{facts.get('mixed_rate')} req/s offered (c16)",
       f"{f(g('mixed', 'rps'))} req/s ({mix.get('logins', '?')} logins, {mix.get('refreshes', '?')} refreshes, {mix.get('mes', '?')} me)",
       lat("mixed") + " (p99 = the 1 % logins)", "–", "–", "zero errors", verdict(None if not mix else errs("mixed") == "0"), errs("mixed")))
    idle, endmix = facts.get("rss_idle_kb"), facts.get("rss_after_mixed_kb")
    L(("6a. Resident memory, idle after start", f"{f(int(idle) / 1024, 1)} MB" if idle else "–", "–", "30 MB", ratio(int(idle) / 1024 if idle else None, 30), "≤ 1.0",
       verdict(None if not idle else int(idle) / 1024 <= 30), "–"))
    bidle = facts.get("rss_baseline_idle_kb")
    if bidle:
        L(("6a′. same, the bare Hummingbird baseline idle (same run)", f"{f(int(bidle) / 1024, 1)} MB", "–", "–", "–", "–", "–", "–"))
    L(("6b. Resident memory, end of mixed run", f"{f(int(endmix) / 1024, 1)} MB" if endmix else "–", "–", "–", "–", "(none)", "–", "–"))
    st = facts.get("startup_median_ms")
    L(("6c. Start-up to ready `/health/ready` (median of 5)", f"{f(st, 1)} ms" if st else "–", "–", "500 ms",
       ratio(float(st) if st else None, 500), "≤ 1.0", verdict(None if not st else float(st) <= 500), "–"))
    for scen, name in (("login", "login"), ("me", "/users/me")):
        a, b = g(f"growth-1k-{scen}", "p50_ms"), g(f"growth-big-{scen}", "p50_ms")
        L((f"7. {name} p50 with {bigl} vs 1,000 users",
           f"{f(g(f'growth-big-{scen}', 'rps'), 2 if scen == 'login' else 0)} vs {f(g(f'growth-1k-{scen}', 'rps'), 2 if scen == 'login' else 0)} req/s",
           f"{f(b, 1)} vs {f(a, 1)} (p50); p99 {f(g(f'growth-big-{scen}', 'p99_ms'), 1)} vs {f(g(f'growth-1k-{scen}', 'p99_ms'), 1)}",
           "1,000-user p50", ratio(b, a), "≤ 1.2", verdict(None if a is None or b is None else b / a <= 1.2),
           f"{errs(f'growth-big-{scen}')} / {errs(f'growth-1k-{scen}')}"))
    for scen, tgt in (("login", "–"), ("me", "≥ 10"), ("register", "–")):
        # Gatehouse ÷ peer of the 2xx rates (the peer's register answers some requests with HTTP 500)
        mine, peer = g(scen, "ok_rps"), g("peer-" + scen, "ok_rps")
        L((f"8. Peer: {scen} (same wrk settings; ratio of 2xx/s)", f"Gatehouse {f(mine, 2 if scen != 'me' else 0)} req/s",
           f"peer {lat('peer-' + scen)}",
           f"fastapi-users, 2 uvicorn workers: {f(peer, 2 if scen != 'me' else 0)} 2xx/s (all answers: {f(g('peer-' + scen, 'rps'), 2 if scen != 'me' else 0)}/s)",
           ratio(mine, peer), tgt, verdict(None if tgt == "–" or mine is None or not peer else mine / peer >= 10),
           f"peer: {errs('peer-' + scen)}"))

    head = ["scenario", "Gatehouse", "p50 / p99 ms", "baseline (same run)", "ratio", "target", "verdict", "errors"]
    lines = []
    w = lines.append
    w("# Benchmarks")
    w("")
    w(f"Measured by `Benchmarks/run.sh{' --quick' if facts.get('quick') == '1' else ''}` on {facts['date']} "
      f"(raw output: [`Benchmarks/results/{raw_name}`](../Benchmarks/results/{raw_name})). Every ratio divides by a "
      "baseline measured in the same run on the same machine; targets are reported, never asserted. "
      "Re-run with `Benchmarks/run.sh` (full, ~6–7 min on 2 cores after the builds) or `Benchmarks/run.sh --quick` "
      "(~5 min).")
    w("")
    w("## Machine and versions")
    w("")
    for k, label in (("machine", "machine"), ("swift", "Swift"), ("gatehouse", "Gatehouse"), ("wrk", "wrk"),
                     ("bcrypt_lib", "bcrypt"), ("peer", "peer"), ("python", "Python (peer)"), ("settings", "Gatehouse settings"),
                     ("wrk_settings", "wrk settings")):
        if k in facts:
            w(f"- **{label}**: {facts[k]}")
    w("")
    w("## Results")
    w("")
    w("| " + " | ".join(head) + " |")
    w("|" + "|".join(["---"] * len(head)) + "|")
    for r in rows:
        w("| " + " | ".join(str(c) for c in r) + " |")
    w("")
    w(f"bcrypt limit: one cost-12 `Bcrypt.verify` takes {facts['verify_median_ms']} ms and one `Bcrypt.hash` "
      f"{facts['hash_median_ms']} ms here (HummingbirdBcrypt, median of {facts['bcrypt_n']}, one call at a time), so "
      f"{cores} cores can do at most {ideal_login:.2f} logins/s and {ideal_reg:.2f} registrations/s. Gatehouse "
      "pre-hashes with SHA-256 (negligible next to bcrypt) and runs bcrypt on a pool of `cores` threads.")
    if "notes" in facts:
        w("")
        for n in facts["notes"].split(" || "):
            w(f"- {n}")
    if analysis and os.path.exists(analysis):
        w("")
        w(open(analysis).read().rstrip())
    with open(out, "w") as fh:
        fh.write("\n".join(lines) + "\n")
    print(f"wrote {out}")


def main():
    a = sys.argv[1:]
    if not a:
        sys.exit(__doc__)
    cmd, rest = a[0], a[1:]
    if cmd == "startup":
        sep = rest.index("--")
        cmd_startup(rest[0], rest[1], rest[sep + 1:])
    else:
        {"register": cmd_register, "tokens": cmd_tokens, "get": cmd_get, "seed": cmd_seed,
         "report": cmd_report}[cmd](*rest)


if __name__ == "__main__":
    main()
