"""The agent desktop's figures (docs/benchmarks.md, "Agent desktop"):

- a typed answer -> the next customer line in the answer's response (server time, p95 <= 100 ms);
- CRM search over 10,000 records (p95 <= 30 ms);
- 20 stations typing at once against one server (no errors, p95 <= 300 ms).

A real `roleplay serve` process on a free loopback port, real engine, real SQLite; the
clients are threads of this process.

    python bench/desk_bench.py [--calls 30] [--stations 20] [--no-docs]
"""

from __future__ import annotations

import argparse
import os
import platform
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(Path(__file__).resolve().parent))
from docs_section import write_section

from roleplay.authoring.library import shipped_library
from roleplay.authoring.loader import load_scenario
from roleplay.authoring.lookalikes import lookalikes
from roleplay.model.scenario import CrmTable
from roleplay.web.search import CrmIndex

ANSWERS = [
    "Good afternoon, thank you for calling. My name is Sam. Could you confirm your full name and card?",
    "Thank you for waiting. Your credit limit is 5000 dollars, and your payment is due on June 20.",
    "If the payment is late, a late fee of 35 dollars is charged.",
    "Is there anything else I can help you with?",
    "Thank you for calling. Goodbye.",
]


def p95(values: list[float]) -> float:
    return statistics.quantiles(values, n=20)[18] if len(values) >= 2 else values[0]


def start_server(tmp: Path) -> tuple[str, subprocess.Popen[str]]:
    """`roleplay serve` in its own process, as at a centre: the clients' threads below do not
    share its interpreter (and its GIL)."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    server = subprocess.Popen(
        [sys.executable, "-m", "roleplay", "serve", "--port", str(port), "--calls", str(tmp / "calls"),
         "--db", f"sqlite:///{tmp / 'records.db'}"],
        cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    assert server.stdout is not None
    for line in server.stdout:   # it prints this once it accepts connections
        if line.startswith("serving on"):
            break
    else:
        raise SystemExit(f"roleplay serve did not start (exit {server.wait()})")
    threading.Thread(target=server.stdout.read, daemon=True).start()   # keep its pipe drained
    return f"http://127.0.0.1:{port}", server


def play(url: str, trainee: str, timings: list[float], errors: list[str]) -> None:
    with httpx.Client(base_url=url, timeout=30) as c:
        c.get("/api/health")
        c.headers["X-CSRF-Token"] = c.cookies["roleplay_csrf"]
        r = c.post("/api/calls", json={"scenario": "card-lookup-en", "trainee": trainee})
        if r.status_code != 201:
            errors.append(r.text)
            return
        base = f"/api/calls/{r.json()['call_id']}"
        for text in ANSWERS:
            t0 = time.perf_counter()
            r = c.post(f"{base}/answer", json={"text": text, "typing_ms": 900})
            took = (time.perf_counter() - t0) * 1000
            if r.status_code != 200:
                errors.append(r.text)
                return
            if r.json()["status"] == "wrap_up":
                break
            timings.append(took)
        r = c.post(f"{base}/wrapup", json={"disposition": "resolved", "notes": "5000 June 20"})
        if r.status_code != 200 or r.json()["status"] != "ended":
            errors.append(f"wrap-up: {r.text[:100]}")


def crm_search(n_records: int = 10_000) -> tuple[float, float]:
    # 8-digit account numbers: a 4-digit card key has too few values for 10,000 records.
    s = load_scenario(shipped_library() / "zh" / "broadband-slow.yaml")
    t = s.crm["account"]
    rows = lookalikes(list(t.records), t.key, t.customer_key, "zh", "bench", count=n_records - len(t.records))
    index = CrmIndex({"account": CrmTable("account", t.key, t.customer_key, tuple(rows), t.search)})
    queries = ["王芳", "wangfang", "8800 1234", "880", "王", "138", "wang fang", "孙浩", "13800138000", "li"]
    times = []
    for _ in range(20):
        for q in queries:
            t0 = time.perf_counter()
            index.search(q)
            times.append((time.perf_counter() - t0) * 1000)
    return statistics.median(times), p95(times)


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--calls", type=int, default=30)
    ap.add_argument("--stations", type=int, default=20)
    ap.add_argument("--no-docs", action="store_true")
    args = ap.parse_args()
    load = os.getloadavg()[0]
    with tempfile.TemporaryDirectory() as tmp:
        url, server = start_server(Path(tmp))
        one: list[float] = []
        errors: list[str] = []
        for i in range(args.calls):
            play(url, f"bench-{i}", one, errors)
        many: list[float] = []
        threads = [threading.Thread(target=play, args=(url, f"station-{i}", many, errors)) for i in range(args.stations)]
        t0 = time.perf_counter()
        for th in threads:
            th.start()
        for th in threads:
            th.join()
        wall = time.perf_counter() - t0
        server.terminate()
        server.wait(10)
    crm_med, crm_p95 = crm_search()
    rows = [
        ("typed answer -> next customer line (one station)", f"median {statistics.median(one):.0f} ms, p95 {p95(one):.0f} ms ({len(one)} answers)", "p95 <= 100 ms"),
        ("CRM search, 10,000 records (zh: characters, pinyin, digits)", f"median {crm_med:.1f} ms, p95 {crm_p95:.1f} ms", "p95 <= 30 ms"),
        (f"{args.stations} stations typing at once", f"median {statistics.median(many):.0f} ms, p95 {p95(many):.0f} ms, {len(errors)} errors, {wall:.1f} s wall", "no errors, p95 <= 300 ms"),
    ]
    for name, figure, target in rows:
        print(f"{name}: {figure} (target {target})")
    if errors:
        print("errors:", errors[:3])
    if not args.no_docs:
        table = "\n".join(f"| {n} | {f} | {t} |" for n, f, t in rows)
        write_section("## Agent desktop", f"""## Agent desktop

`python bench/desk_bench.py --calls {args.calls} --stations {args.stations}` on CPython {platform.python_version()}, {os.cpu_count()} CPU(s), load average {load:.1f} at start. A real `roleplay serve` process on uvicorn (loopback; the httpx clients are threads of the bench process), the real engine on card-lookup-en, SQLite records; each call ends with a wrap-up, so scoring, the archive and the records are inside the run. Times are the answer request's round trip: the server hands the answer to the call's engine thread and replies once the next customer line is out.

| measure | figure | target |
|---|---|---|
{table}
""")


if __name__ == "__main__":
    main()
