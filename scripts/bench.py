#!/usr/bin/env python3
"""Benchmarks: cronpp's next-fire rate against cronsim and croniter, and `cronpp next` as a process.

    python3 scripts/bench.py [--budget SECONDS] [--repeats N] [--runs N] [--no-build]

In one run, for the same typical expressions and the same time budget each:
  - cronpp: `cronpp-bench` (release build), which parses once and pulls `nextSeconds()` from the
    lazy fire sequence, in UTC and in America/New_York;
  - cronsim: `next()` on one `CronSim(expr, start)`;
  - croniter: `get_next(datetime)` on one `croniter(expr, start)`.
Each figure is the best of `repeats` runs of `budget` seconds (single core, one process at a
time). Then `cronpp next EXPR --count 10` is timed as a whole process (median over `runs`, with
hyperfine when installed). Prints Markdown tables (pasted into BENCHMARKS.md), the geometric-mean
and minimum ratios, and whether the targets are met (exit status 0 either way: a measurement,
not a test).

Builds: swift build -c release --product cronpp-bench --scratch-path .build-bench (and cronpp).
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import math
import os
import platform
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from zoneinfo import ZoneInfo

import cronsim
import croniter

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
SCRATCH = ".build-bench"

# Typical schedules, mostly 5-field, in roughly the proportions crontabs have them.
EXPRESSIONS = [
    "* * * * *",
    "*/5 * * * *",
    "*/15 * * * *",
    "0 * * * *",
    "30 * * * *",
    "15,45 */2 * * *",
    "0 */6 * * *",
    "0 0 * * *",
    "30 2 * * *",
    "0 9 * * MON-FRI",
    "*/10 9-17 * * 1-5",
    "0 8,12,18 * * *",
    "0 0 * * SUN",
    "0 3 * * 0",
    "0 0 1 * *",
    "0 0 L * *",
    "0 12 1,15 * *",
    "0 0 1 1 *",
    "0 9 * * 1#1",
    "0 */30 * * * *",
]

ZONES = ["UTC", "America/New_York"]
# 2026-01-01T00:00:00Z: where every sequence starts.
START = 1_767_225_600
PROCESS_COMMAND = ["next", "0 9 * * MON-FRI", "--count", "10"]

TARGET_RATE = 1_000_000
TARGET_RATIO = 50
TARGET_PROCESS_MS = 20


def build(products: list[str]) -> None:
    for product in products:
        argv = ["swift", "build", "-c", "release", "--product", product, "--scratch-path", SCRATCH]
        print("+ " + " ".join(argv), file=sys.stderr, flush=True)
        subprocess.run(argv, cwd=ROOT, check=True, stdout=sys.stderr)


def binary(product: str) -> str:
    return os.path.join(ROOT, SCRATCH, "release", product)


def ours(budget: float, repeats: int) -> dict[tuple[str, str], int]:
    p = subprocess.run(
        [binary("cronpp-bench"), "--budget", str(budget), "--repeats", str(repeats), "--zones", ",".join(ZONES)],
        input="\n".join(EXPRESSIONS) + "\n", capture_output=True, text=True, check=True)
    rates = {}
    for line in p.stdout.splitlines():
        row = json.loads(line)
        rates[(row["expr"], row["zone"])] = row["per_second"]
    return rates


def timed(make, step, budget: float, repeats: int) -> int:
    """Best rate over `repeats` runs of `budget` seconds: `make()` once per run, then `step(it)`."""
    best = 0.0
    for _ in range(repeats):
        it = make()
        n = 0
        began = time.perf_counter()
        deadline = began + budget
        while True:
            for _ in range(64):
                try:
                    step(it)
                    n += 1
                except (StopIteration, croniter.CroniterBadDateError):
                    it = make()
            now = time.perf_counter()
            if now >= deadline:
                break
        best = max(best, n / (now - began))
    return int(best)


def zone(name: str) -> dt.tzinfo:
    return dt.timezone.utc if name == "UTC" else ZoneInfo(name)


def reference_rates(budget: float, repeats: int) -> dict[tuple[str, str, str], int]:
    rates = {}
    for name in ZONES:
        start = dt.datetime.fromtimestamp(START, zone(name))
        for expr in EXPRESSIONS:
            rates[("cronsim", expr, name)] = timed(lambda: cronsim.CronSim(expr, start), next, budget, repeats)
            rates[("croniter", expr, name)] = timed(
                lambda: croniter.croniter(expr, start, second_at_beginning=True),
                lambda it: it.get_next(dt.datetime), budget, repeats)
    return rates


def process_time(runs: int) -> tuple[float, str]:
    """Median wall time of `cronpp next ... --count 10` in milliseconds, and how it was measured."""
    argv = [binary("cronpp")] + PROCESS_COMMAND
    if shutil.which("hyperfine"):
        with tempfile.NamedTemporaryFile(suffix=".json") as out:
            subprocess.run(["hyperfine", "-N", "--warmup", "5", "--runs", str(runs), "--export-json", out.name,
                            "--style", "none", subprocess.list2cmdline(argv)],
                           check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
            result = json.load(open(out.name))["results"][0]
        return result["median"] * 1000, f"hyperfine -N, {runs} runs after 5 warm-up"
    times = []
    for i in range(runs + 5):
        began = time.perf_counter()
        subprocess.run(argv, check=True, stdout=subprocess.DEVNULL)
        if i >= 5:
            times.append(time.perf_counter() - began)
    return statistics.median(times) * 1000, f"subprocess, {runs} runs after 5 warm-up"


def geomean(xs: list[float]) -> float:
    return math.exp(sum(math.log(x) for x in xs) / len(xs))


def fmt_rate(r: float) -> str:
    return f"{r / 1e6:.2f}M" if r >= 1e6 else f"{r / 1e3:.1f}k"


def table(ours_rates, refs, zone_name: str) -> tuple[list[str], dict]:
    lines = [f"| expression ({zone_name}) | cronpp/s | cronsim/s | croniter/s | vs cronsim | vs croniter |",
             "| --- | ---: | ---: | ---: | ---: | ---: |"]
    r_sim, r_iter, mine = [], [], []
    for expr in EXPRESSIONS:
        o = ours_rates[(expr, zone_name)]
        s, i = refs[("cronsim", expr, zone_name)], refs[("croniter", expr, zone_name)]
        r_sim.append(o / s)
        r_iter.append(o / i)
        mine.append(o)
        lines.append(f"| `{expr}` | {fmt_rate(o)} | {fmt_rate(s)} | {fmt_rate(i)} | {o / s:.0f}x | {o / i:.0f}x |")
    stats = {"min_rate": min(mine), "geo_rate": geomean(mine),
             "geo_sim": geomean(r_sim), "min_sim": min(r_sim), "geo_iter": geomean(r_iter), "min_iter": min(r_iter)}
    lines.append(f"| geometric mean | {fmt_rate(stats['geo_rate'])} | | | {stats['geo_sim']:.0f}x | {stats['geo_iter']:.0f}x |")
    lines.append(f"| minimum | {fmt_rate(stats['min_rate'])} | | | {stats['min_sim']:.0f}x | {stats['min_iter']:.0f}x |")
    return lines, stats


def main() -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--budget", type=float, default=0.25, help="seconds per measurement (default: %(default)s)")
    p.add_argument("--repeats", type=int, default=3, help="measurements per figure, best kept (default: %(default)s)")
    p.add_argument("--runs", type=int, default=40, help="timed runs of the cronpp process (default: %(default)s)")
    p.add_argument("--no-build", action="store_true", help="use the existing release builds in .build-bench")
    args = p.parse_args()

    if not args.no_build:
        try:
            build(["cronpp-bench", "cronpp"])
        except subprocess.CalledProcessError as e:
            print(f"bench: the release build failed ({' '.join(e.cmd)})", file=sys.stderr)
            return 1
    print(f"measuring {len(EXPRESSIONS)} expressions x {len(ZONES)} zones, {args.repeats} x {args.budget}s each...",
          file=sys.stderr, flush=True)
    mine = ours(args.budget, args.repeats)
    refs = reference_rates(args.budget, args.repeats)
    median_ms, how = process_time(args.runs)

    cpu = next((l.split(":", 1)[1].strip() for l in open("/proc/cpuinfo") if l.startswith("model name")), platform.processor()) \
        if os.path.exists("/proc/cpuinfo") else platform.processor()
    print(f"Machine: {cpu}, {os.cpu_count()} cores; Python {platform.python_version()}, "
          f"cronsim {pkg_version('cronsim')}, croniter {pkg_version('croniter')}; {dt.date.today().isoformat()}")
    print(f"Rates: fire times per second on one core, best of {args.repeats} x {args.budget}s, "
          f"sequences starting 2026-01-01T00:00:00Z.\n")
    summary = {}
    for name in ZONES:
        lines, summary[name] = table(mine, refs, name)
        print("\n".join(lines) + "\n")
    print(f"`cronpp {' '.join(subprocess.list2cmdline([a]) for a in PROCESS_COMMAND)}` (release): "
          f"median {median_ms:.1f} ms ({how})\n")

    utc = summary["UTC"]
    checks = [
        (f"≥{TARGET_RATE:,} next-fire results/s on every typical expression (UTC minimum {utc['min_rate']:,.0f}/s)",
         utc["min_rate"] >= TARGET_RATE),
        (f"≥{TARGET_RATIO}x cronsim on every expression (UTC minimum {utc['min_sim']:.0f}x, geometric mean {utc['geo_sim']:.0f}x)",
         utc["min_sim"] >= TARGET_RATIO),
        (f"≥{TARGET_RATIO}x croniter on every expression (UTC minimum {utc['min_iter']:.0f}x, geometric mean {utc['geo_iter']:.0f}x)",
         utc["min_iter"] >= TARGET_RATIO),
        (f"`next --count 10` median < {TARGET_PROCESS_MS} ms ({median_ms:.1f} ms)", median_ms < TARGET_PROCESS_MS),
    ]
    print("Targets:")
    for text, ok in checks:
        print(f"- {'met' if ok else 'MISSED'}: {text}")
    return 0


def pkg_version(name: str) -> str:
    try:
        from importlib.metadata import version
        return version(name)
    except Exception:
        return "?"


if __name__ == "__main__":
    sys.exit(main())
