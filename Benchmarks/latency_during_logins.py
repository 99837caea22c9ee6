#!/usr/bin/env python3
"""Measures GET /health and GET /api/v1/users/me latency while N logins (bcrypt) are in flight, against the same
endpoints idle, measured in the same run.

Starts nothing: point it at a running Gatehouse (default http://127.0.0.1:8080) that has the account given by
--email/--password (it registers it if missing). Run the server with GATEHOUSE_RATE_LIMITS_ENABLED=false, or the
per-client login budget (10/60 s) turns the flood into 429s. Prints p50/p99/max idle and under load, their ratios, and
how many logins were answered 200, 503 overloaded (load shedding) or otherwise.

    python3 Benchmarks/latency_during_logins.py --logins 8 --samples 200
    python3 Benchmarks/latency_during_logins.py --logins 64 --samples 300   # saturate the hashing queue
"""
import argparse
import http.client
import json
import statistics
import threading
import time
import urllib.parse


def request(base, method, path, body=None, token=None):
    url = urllib.parse.urlparse(base)
    conn = http.client.HTTPConnection(url.hostname, url.port or 80, timeout=30)
    headers = {"Content-Type": "application/json"} if body is not None else {}
    if token:
        headers["Authorization"] = "Bearer " + token
    start = time.perf_counter()
    conn.request(method, path, body=json.dumps(body) if body is not None else None, headers=headers)
    response = conn.getresponse()
    data = response.read()
    elapsed = time.perf_counter() - start
    conn.close()
    if path.endswith("/login") and response.status == 200:
        request.last_token = json.loads(data)["accessToken"]
    return response.status, elapsed


def samples_of(base, path, count, token=None):
    samples = []
    for _ in range(count):
        status, elapsed = request(base, "GET", path, token=token)
        assert status == 200, (path, status)
        samples.append(elapsed * 1000)
        time.sleep(0.005)
    return samples


def summary(samples):
    ordered = sorted(samples)
    p99 = ordered[min(len(ordered) - 1, int(len(ordered) * 0.99))]
    return statistics.median(ordered), p99, ordered[-1]


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--base", default="http://127.0.0.1:8080")
    parser.add_argument("--email", default="bench-health@example.com")
    parser.add_argument("--password", default="Bench!Passw0rd")
    parser.add_argument("--logins", type=int, default=8, help="logins kept in flight")
    parser.add_argument("--samples", type=int, default=200)
    parser.add_argument("--retry-delay", type=float, default=0.05,
                        help="seconds a flooding client waits after a 503 (0: retry at once, which mostly measures "
                             "this Python client competing for the 2 cores)")
    args = parser.parse_args()

    request(args.base, "POST", "/api/v1/auth/register", {"email": args.email, "password": args.password})
    status, _ = request(args.base, "POST", "/api/v1/auth/login", {"email": args.email, "password": args.password})
    assert status == 200, f"login failed with {status}"
    token = request.last_token

    idle_health = samples_of(args.base, "/health", args.samples)
    idle_me = samples_of(args.base, "/api/v1/users/me", args.samples, token)

    stop = threading.Event()
    outcomes = {}
    lock = threading.Lock()

    def login_loop():
        while not stop.is_set():
            status, _ = request(args.base, "POST", "/api/v1/auth/login", {"email": args.email, "password": args.password})
            with lock:
                outcomes[status] = outcomes.get(status, 0) + 1
            if status == 503 and args.retry_delay > 0:
                time.sleep(args.retry_delay)  # a client backing off; 0 models an attacker ignoring Retry-After

    threads = [threading.Thread(target=login_loop) for _ in range(args.logins)]
    for thread in threads:
        thread.start()
    time.sleep(0.5)  # let the hashing queue fill
    loaded_health = samples_of(args.base, "/health", args.samples)
    loaded_me = samples_of(args.base, "/api/v1/users/me", args.samples, token)
    stop.set()
    for thread in threads:
        thread.join()

    for name, idle, loaded in (("GET /health", idle_health, loaded_health), ("GET /users/me", idle_me, loaded_me)):
        i50, i99, imax = summary(idle)
        l50, l99, lmax = summary(loaded)
        print(f"{name:14} idle:   p50 {i50:7.2f} ms  p99 {i99:7.2f} ms  max {imax:7.2f} ms  (n={len(idle)})")
        print(f"{name:14} {args.logins:3d} logins in flight: p50 {l50:7.2f} ms  p99 {l99:7.2f} ms  max {lmax:7.2f} ms  (n={len(loaded)})")
        print(f"{name:14} ratio loaded/idle: p50 {l50 / i50:.2f}  p99 {l99 / i99:.2f}")
    print(f"login answers during the flood: {dict(sorted(outcomes.items()))}  (503 = shed by the hashing queue)")
    _, health_p99, _ = summary(loaded_health)
    _, me_p99, _ = summary(loaded_me)
    print(f"targets: /health p99 < 50 ms -> {'met' if health_p99 < 50 else 'MISSED'}; /users/me p99 < 100 ms -> {'met' if me_p99 < 100 else 'MISSED'}")


if __name__ == "__main__":
    main()
