#!/usr/bin/env python3
"""Renders docs/img/metrics-dashboard.png: the queries of docs/grafana/interlock.json,
computed from scrapes of a real run, drawn with matplotlib (no Grafana needed).

It starts the shipped jar (embedded PostgreSQL and Temporal, free ports, a fresh data
directory), runs a workload against it over REST for a few minutes, scrapes
/metrics/prometheus every 2 s meanwhile, then evaluates each panel's expressions the way
Prometheus would (rate over a window, histogram_quantile with linear interpolation inside
the bucket, sum/max by label) and draws them panel by panel.

    python3 -m venv /tmp/venv && /tmp/venv/bin/pip install matplotlib
    mvn -B -o -pl server -am package -DskipTests
    /tmp/venv/bin/python docs/grafana/render.py --jar server/target/interlock.jar

The workload: interrupts created in two dialects (LoopIn and AgentGate) at a rate that
rises and falls, each decided by a "person" after a random delay of 0.5-40 s (a fifth
rejected; AgentGate's reads approved by a policy at once), some left to expire (expiresIn 5-15 s), some cancelled, a quarter with a
callbackUrl to a local receiver that answers 503 one time in four (so some attempts fail
and are retried), a long-poll waiting on a third of them (wake latency), and a key limited to 30
requests a minute that reads in bursts of 40 (rate-limit refusals).
"""
import argparse
import json
import math
import os
import random
import re
import shutil
import socket
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.request
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

ADMIN_KEY = "render-admin-key-0123456789abcdef"
SCRAPE_EVERY = 2.0
RATE_WINDOW = 30.0  # seconds: what $__rate_interval is at this resolution

LINE = re.compile(r'^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})? (\S+)(?: \d+)?$')
LABEL = re.compile(r'([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"')


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def request(method, url, body=None, key=ADMIN_KEY, timeout=60):
    data = json.dumps(body).encode() if body is not None else None
    req = urllib.request.Request(url, data=data, method=method)
    req.add_header("X-API-Key", key)
    if data is not None:
        req.add_header("Content-Type", "application/json")
    try:
        with urllib.request.urlopen(req, timeout=timeout) as r:
            text = r.read().decode()
            return r.status, json.loads(text) if text else None
    except urllib.error.HTTPError as e:
        return e.code, None
    except Exception:
        return 0, None


class Receiver(BaseHTTPRequestHandler):
    """Callback receiver: 503 one time in four, so retries show in the failures panel."""

    def do_POST(self):
        self.rfile.read(int(self.headers.get("Content-Length", "0")))
        self.send_response(503 if random.random() < 0.25 else 200)
        self.end_headers()

    def log_message(self, *args):
        pass


def parse(text):
    samples = []
    for line in text.splitlines():
        if not line or line.startswith("#"):
            continue
        m = LINE.match(line)
        if not m:
            continue
        labels = dict(LABEL.findall(m.group(2) or ""))
        samples.append((m.group(1), labels, float(m.group(3))))
    return samples


class Run:
    def __init__(self, jar, config, workdir):
        self.port, self.admin = free_port(), free_port()
        env = dict(os.environ, PORT=str(self.port), ADMIN_PORT=str(self.admin),
                   TEMPORAL_MODE="embedded", INTERLOCK_ADMIN_KEY=ADMIN_KEY,
                   INTERLOCK_DATA_DIR=os.path.join(workdir, "data"),
                   INTERLOCK_CALLBACKS_ALLOW_PRIVATE="true")
        self.log = open(os.path.join(workdir, "interlock.log"), "w")
        self.proc = subprocess.Popen(["java", "-Xmx512m", "-jar", jar, "server", config],
                                     cwd=workdir, env=env, stdout=self.log,
                                     stderr=subprocess.STDOUT)
        self.base = f"http://127.0.0.1:{self.port}"
        deadline = time.time() + 180
        while time.time() < deadline:
            if self.proc.poll() is not None:
                sys.exit(f"the jar exited ({self.proc.returncode}); see {self.log.name}")
            if request("GET", self.base + "/health")[0] == 200:
                return
            time.sleep(1)
        sys.exit("the jar did not answer /health within 180 s")

    def scrape(self):
        with urllib.request.urlopen(
                f"http://127.0.0.1:{self.admin}/metrics/prometheus", timeout=10) as r:
            return parse(r.read().decode())

    def stop(self):
        self.proc.terminate()
        try:
            self.proc.wait(60)
        except subprocess.TimeoutExpired:
            self.proc.kill()


def workload(run, callback_url, seconds, stop):
    """Creates and decides interrupts until `seconds` have passed."""
    start = time.time()
    timers = []
    # AgentGate's reads are approved by a policy, without a person.
    request("POST", run.base + "/api/policies", {"name": "reads", "rules": [
        {"match": {"action": "read_file"}, "decision": "auto_approve"}]})
    # An agent whose key allows 30 requests a minute reads in bursts of 40.
    _, key = request("POST", run.base + "/api/keys", {
        "name": "bursty", "scopes": ["request:read"], "rateLimit": 30})

    def bursts():
        while not stop.is_set() and time.time() - start < seconds:
            for _ in range(40):
                request("GET", run.base + "/api/requests?limit=1", key=key["key"])
            stop.wait(45)

    threading.Thread(target=bursts, daemon=True).start()

    def later(delay, fn):
        t = threading.Timer(delay, fn)
        t.daemon = True
        t.start()
        timers.append(t)

    def poll(id_):
        request("GET", f"{run.base}/interrupts/{id_}?wait=60", timeout=90)

    while not stop.is_set() and time.time() - start < seconds:
        phase = (time.time() - start) / seconds
        per_second = 1.0 + 5.0 * math.sin(math.pi * phase) ** 2  # rises and falls
        if random.random() < 0.5:
            body = {"agentId": "render", "userId": "ops", "action": "deploy"}
            kind = random.random()
            if kind < 0.25:
                body["callbackUrl"] = callback_url
            if kind > 0.9:
                body["expiresIn"] = random.randint(5, 15)
            status, created = request("POST", run.base + "/interrupts", body)
            if status == 201:
                id_ = created["interruptId"]
                if random.random() < 0.33:
                    threading.Thread(target=poll, args=(id_,), daemon=True).start()
                if kind > 0.9:
                    pass  # left to expire
                elif kind > 0.85:
                    later(random.uniform(1, 10),
                          lambda i=id_: request("DELETE", f"{run.base}/interrupts/{i}"))
                else:
                    decision = "rejected" if random.random() < 0.2 else "approved"
                    later(random.uniform(0.5, 40), lambda i=id_, d=decision: request(
                        "POST", f"{run.base}/interrupts/{i}/decide", {"decision": d}))
        elif random.random() < 0.25:
            request("POST", run.base + "/api/requests", {"action": "read_file"})
        else:
            status, created = request("POST", run.base + "/api/requests",
                                      {"action": "send_email", "params": {"to": "ops"}})
            if status == 201:
                decision = "denied" if random.random() < 0.2 else "approved"
                later(random.uniform(0.5, 40), lambda i=created["id"], d=decision: request(
                    "POST", f"{run.base}/api/requests/{i}/decide", {"decision": d}))
        time.sleep(random.expovariate(per_second))


# ---- PromQL, as far as the dashboard uses it ------------------------------------------

def select(snapshot, name, matchers=()):
    out = []
    for n, labels, value in snapshot:
        if n != name:
            continue
        ok = True
        for key, op, val in matchers:
            if op == "=" and labels.get(key) != val:
                ok = False
            if op == "!=" and labels.get(key) == val:
                ok = False
        if ok:
            out.append((labels, value))
    return out


def rate(scrapes, i, name, matchers=()):
    """Per-series rate over RATE_WINDOW ending at scrape i: {labels-tuple: per second}."""
    t1, now = scrapes[i]
    j = i
    while j > 0 and t1 - scrapes[j - 1][0] <= RATE_WINDOW:
        j -= 1
    if j == i:
        return {}
    t0, before = scrapes[j]
    old = {tuple(sorted(l.items())): v for l, v in select(before, name, matchers)}
    out = {}
    for labels, v in select(now, name, matchers):
        key = tuple(sorted(labels.items()))
        out[key] = max(0.0, v - old.get(key, 0.0)) / (t1 - t0)
    return out


def sum_by(series, by=()):
    out = {}
    for key, v in series.items():
        labels = dict(key)
        group = tuple(labels.get(b, "") for b in by)
        out[group] = out.get(group, 0.0) + v
    return out


def quantile(q, buckets):
    """histogram_quantile: buckets {le: cumulative rate}."""
    points = sorted((math.inf if le == "+Inf" else float(le), v) for le, v in buckets.items())
    if not points or points[-1][1] <= 0:
        return None
    total = points[-1][1]
    rank = q * total
    prev_le, prev_count = 0.0, 0.0
    for le, count in points:
        if count >= rank:
            if math.isinf(le):
                return prev_le
            if count == prev_count:
                return le
            return prev_le + (le - prev_le) * (rank - prev_count) / (count - prev_count)
        prev_le, prev_count = le, count
    return points[-1][0]


def histogram(scrapes, i, name, q):
    by_le = sum_by(rate(scrapes, i, name), ("le",))
    return quantile(q, {k[0]: v for k, v in by_le.items()})


def gauge(scrapes, i, name, agg=max, by=None):
    values = select(scrapes[i][1], name)
    if by is None:
        return agg([v for _, v in values]) if values else None
    out = {}
    for labels, v in values:
        out.setdefault(labels.get(by, ""), []).append(v)
    return {k: agg(v) for k, v in out.items()}


def render(scrapes, out):
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    t0 = scrapes[0][0]
    xs = [(t - t0) / 60 for t, _ in scrapes]
    idx = range(len(scrapes))
    fig, axes = plt.subplots(5, 2, figsize=(15, 17))
    fig.suptitle("Interlock — the dashboard's queries over a real run "
                 "(docs/grafana/interlock.json, rendered by docs/grafana/render.py)", fontsize=13)

    def series(ax, title, lines, unit=""):
        for label, values in lines:
            ax.plot(xs, [v if v is not None else float("nan") for v in values], label=label,
                    linewidth=1.3)
        ax.set_title(title, fontsize=11)
        ax.set_xlabel("minutes")
        if unit:
            ax.set_ylabel(unit)
        ax.grid(alpha=0.3)
        ax.legend(fontsize=8, loc="upper left")

    def total_rate(name, matchers=()):
        return [sum(rate(scrapes, i, name, matchers).values()) for i in idx]

    series(axes[0][0], "Interrupts per second", [
        ("created", total_rate("interlock_interrupts_creations_total")),
        ("decided", total_rate("interlock_interrupts_decided_total")),
        ("expired", total_rate("interlock_interrupts_expired_total")),
        ("cancelled", total_rate("interlock_interrupts_cancelled_total"))], "per second")
    series(axes[0][1], "Pending interrupts",
           [("pending", [gauge(scrapes, i, "interlock_interrupts_pending") for i in idx])])
    for col, (title, name) in enumerate([
            ("Decision latency (create → decision)", "interlock_decision_latency_seconds_bucket"),
            ("Wake latency (decision → waiter has it)", "interlock_wake_latency_seconds_bucket")]):
        series(axes[1][col], title, [
            (p, [histogram(scrapes, i, name, q) for i in idx])
            for p, q in (("p50", 0.5), ("p95", 0.95), ("p99", 0.99))], "seconds")
    kinds = sorted({l.get("kind") for _, s in scrapes for n, l, _ in s
                    if n == "interlock_waiters_open"})
    series(axes[2][0], "Waiters open", [
        (k, [gauge(scrapes, i, "interlock_waiters_open", sum, "kind").get(k) for i in idx])
        for k in kinds])
    failed = (("result", "!=", "delivered"),)
    series(axes[2][1], "Delivery failures", [
        ("callback attempts failed", total_rate("interlock_callback_attempts_total", failed)),
        ("webhook attempts failed", total_rate("interlock_webhook_attempts_total", failed)),
        ("given up", total_rate("interlock_deliveries_given_up_total"))], "per second")
    series(axes[3][0], "Policy decisions, rate limits, MCP calls", [
        ("policy", total_rate("interlock_policy_decisions_total")),
        ("429", total_rate("interlock_rate_limited_total")),
        ("MCP", total_rate("interlock_mcp_tool_calls_total"))], "per second")
    series(axes[3][1], "Temporal workflow task latency (p95)", [
        ("execution", [histogram(scrapes, i,
            "temporal_workflow_task_execution_latency_seconds_bucket", 0.95) for i in idx]),
        ("schedule-to-start", [histogram(scrapes, i,
            "temporal_workflow_task_schedule_to_start_latency_seconds_bucket", 0.95) for i in idx]),
        ("activity schedule-to-start", [histogram(scrapes, i,
            "temporal_activity_schedule_to_start_latency_seconds_bucket", 0.95) for i in idx])],
        "seconds")
    mib = 1024 * 1024
    series(axes[4][0], "JVM heap", [
        ("used", [(gauge(scrapes, i, "jvm_memory_heap_used", sum) or 0) / mib for i in idx]),
        ("max", [(gauge(scrapes, i, "jvm_memory_heap_max", sum) or 0) / mib for i in idx])],
        "MiB")
    series(axes[4][1], "Temporal requests and pollers", [
        ("requests/s", total_rate("temporal_request_total")),
        ("pollers", [gauge(scrapes, i, "temporal_num_pollers", sum) for i in idx]),
        ("sticky cache size", [gauge(scrapes, i, "temporal_sticky_cache_size", sum) for i in idx])])
    fig.tight_layout(rect=(0, 0, 1, 0.98))
    fig.savefig(out, dpi=72)
    print("wrote", out)


def main():
    here = os.path.dirname(os.path.abspath(__file__))
    root = os.path.dirname(os.path.dirname(here))
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--jar", default=os.path.join(root, "server", "target", "interlock.jar"))
    ap.add_argument("--config", default=os.path.join(root, "config.yml"))
    ap.add_argument("--seconds", type=int, default=300)
    ap.add_argument("--out", default=os.path.join(root, "docs", "img", "metrics-dashboard.png"))
    ap.add_argument("--seed", type=int, default=17)
    args = ap.parse_args()
    random.seed(args.seed)

    workdir = tempfile.mkdtemp(prefix="interlock-render-")
    receiver = ThreadingHTTPServer(("127.0.0.1", 0), Receiver)
    threading.Thread(target=receiver.serve_forever, daemon=True).start()
    callback_url = f"http://127.0.0.1:{receiver.server_address[1]}/callback"
    run = Run(os.path.abspath(args.jar), os.path.abspath(args.config), workdir)
    scrapes, stop = [], threading.Event()
    try:
        worker = threading.Thread(target=workload,
                                  args=(run, callback_url, args.seconds, stop), daemon=True)
        worker.start()
        end = time.time() + args.seconds + 45  # and the last decisions
        while time.time() < end:
            scrapes.append((time.time(), run.scrape()))
            time.sleep(SCRAPE_EVERY)
        stop.set()
    finally:
        run.stop()
        receiver.shutdown()
    render(scrapes, args.out)
    shutil.rmtree(workdir, ignore_errors=True)


if __name__ == "__main__":
    main()
