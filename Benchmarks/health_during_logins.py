#!/usr/bin/env python3
"""Measures GET /health latency while N logins (bcrypt) are in flight, against the same endpoint idle.

Starts nothing: point it at a running Gatehouse (default http://127.0.0.1:8080) that has the account given by
--email/--password (it registers it if missing). Prints p50/p99/max of /health idle and under load and their ratio.

    python3 Benchmarks/health_during_logins.py --logins 8 --samples 200
"""
import argparse
import http.client
import json
import statistics
import threading
import time
import urllib.parse


def request(base, method, path, body=None):
    url = urllib.parse.urlparse(base)
    conn = http.client.HTTPConnection(url.hostname, url.port or 80, timeout=30)
    headers = {"Content-Type": "application/json"} if body is not None else {}
    start = time.perf_counter()
    conn.request(method, path, body=json.dumps(body) if body is not None else None, headers=headers)
    response = conn.getresponse()
    response.read()
    elapsed = time.perf_counter() - start
    conn.close()
    return response.status, elapsed


def health_samples(base, count):
    samples = []
    for _ in range(count):
        status, elapsed = request(base, "GET", "/health")
        assert status == 200, status
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
    args = parser.parse_args()

    request(args.base, "POST", "/api/v1/auth/register", {"email": args.email, "password": args.password})
    status, _ = request(args.base, "POST", "/api/v1/auth/login", {"email": args.email, "password": args.password})
    assert status == 200, f"login failed with {status}"

    idle = health_samples(args.base, args.samples)

    stop = threading.Event()
    login_times = []
    errors = []

    def login_loop():
        while not stop.is_set():
            status, elapsed = request(args.base, "POST", "/api/v1/auth/login", {"email": args.email, "password": args.password})
            if status != 200:
                errors.append(status)
            login_times.append(elapsed)

    threads = [threading.Thread(target=login_loop) for _ in range(args.logins)]
    for thread in threads:
        thread.start()
    time.sleep(0.5)  # let the hashing pool saturate
    loaded = health_samples(args.base, args.samples)
    stop.set()
    for thread in threads:
        thread.join()

    i50, i99, imax = summary(idle)
    l50, l99, lmax = summary(loaded)
    print(f"GET /health idle:                 p50 {i50:7.2f} ms  p99 {i99:7.2f} ms  max {imax:7.2f} ms  (n={len(idle)})")
    print(f"GET /health with {args.logins} logins in flight: p50 {l50:7.2f} ms  p99 {l99:7.2f} ms  max {lmax:7.2f} ms  (n={len(loaded)})")
    print(f"ratio loaded/idle p50: {l50 / i50:.2f}   p99: {l99 / i99:.2f}")
    print(f"logins completed during the run: {len(login_times)}, mean {statistics.mean(login_times) * 1000:.0f} ms, errors: {len(errors)}")
    print(f"target: p99 under load < 50 ms -> {'met' if l99 < 50 else 'MISSED'}")


if __name__ == "__main__":
    main()
