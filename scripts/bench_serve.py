#!/usr/bin/env python3
"""Scheduler benchmarks: how late, how busy, how big and how fast `cronpp serve` is.

    python3 scripts/bench_serve.py [--quick] [--no-build] [--keep DIR] [--only SCENARIO ...]
                                   [--lateness-tasks N] [--lateness-workers N]
                                   [--throughput-tasks N] [--throughput-workers N]
                                   [--cron-minutes N] [--no-cron] [--no-apply-timing]

Builds the release binary (swift build -c release --product cronpp --scratch-path .build-bench),
then, in one run, each scenario on a database of its own in a temporary folder, every
`cronpp serve` started as `serve --db DB --workers N --log-format json --retention 0` and
stopped with SIGTERM:

  1. lateness: 1,000 tasks firing every second (`* * * * * *`, body `return time.now()`),
     created with one `cronpp apply DIR`. After a warm-up, over a steady window, for every
     fire scheduled in the window: the start lateness, run.started_at - run.scheduled_at from
     the store (when serve handed the run, claimed 0.25 s ahead, to its workers; targets p50 <
     5 ms, p99 < 20 ms), and the script-start lateness, that plus the `queued_ms` serve logs in
     `run.finished` (the wait for a free worker). The body's own time.now(), stored as the
     run's result, is shown beside it as a cross-check.
  2. idle CPU: 10,000 tasks whose next fire is 61-70 minutes away (`M H * * *`, `@tz UTC`),
     applied from a folder; after start-up settles, utime+stime of the serve process from
     /proc/PID/stat over 60 s (target < 0.5% of one core).
  3. memory: 100,000 tasks (a yearly schedule), inserted with SQL as copies of a row
     `cronpp add` wrote (every column; next_run_at is the one `cronpp add` computed, the
     schedule and zone being the same); VmRSS and VmHWM from /proc/PID/status 10 s after
     `serve.started` (target < 150 MB). `cronpp apply` of 100,000 files is timed as well.
  4. throughput: 2,000 every-second tasks (`return 1`), a few workers, for 20 s: runs
     recorded `success` per second of wall time (by finished_at; target >= 1,000/s), and
     every fire of every task in the window checked to have its run record.
  5. Debian cron, for scale: installs `cron` with apt-get when it is missing (this needs
     root; the benchmark machines run as root), writes /etc/cron.d/cronpp-bench with
     `* * * * * root date +%s.%N >> FILE`, starts `cron -f` and, beside it, a `cronpp serve`
     with one `* * * * *` task (`return time.now()`), waits for --cron-minutes minute
     boundaries (default 4) and compares how long after the minute each started its
     command/script. The cron daemon started here is stopped and the file removed afterwards.

They run in the order lateness, throughput, idle, memory, cron (about 7 minutes in all).
--quick shortens every window, waits for one minute boundary and does not time the apply of
100,000 files: a smoke check (about 2 minutes), not figures.
Prints Markdown tables with the targets and ratios. A measurement, not a test: exit status 0
either way, unless serve could not be started.
"""

from __future__ import annotations

import argparse
import glob
import json
import math
import os
import platform
import shutil
import signal
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
SCRATCH = ".build-bench"
CLK_TCK = os.sysconf("SC_CLK_TCK")
CRON_FILE = "/etc/cron.d/cronpp-bench"

TARGETS = {
    "lateness_p50_ms": 5.0,
    "lateness_p99_ms": 20.0,
    "idle_cpu_pct": 0.5,
    "rss_mb": 150.0,
    "runs_per_s": 1000.0,
}


def log(message: str) -> None:
    print(f"[{time.strftime('%H:%M:%S')}] {message}", file=sys.stderr, flush=True)


def build() -> str:
    subprocess.run(["swift", "build", "-c", "release", "--product", "cronpp", "--scratch-path", SCRATCH], cwd=ROOT, check=True)
    bin_path = subprocess.run(
        ["swift", "build", "-c", "release", "--scratch-path", SCRATCH, "--show-bin-path"],
        cwd=ROOT, check=True, capture_output=True, text=True).stdout.strip()
    return os.path.join(bin_path, "cronpp")


def percentile(values: list[float], q: float) -> float:
    """Nearest-rank percentile (q in 0..100); nan for no values."""
    if not values:
        return math.nan
    ordered = sorted(values)
    return ordered[max(0, min(len(ordered) - 1, math.ceil(q / 100 * len(ordered)) - 1))]


def verdict(value: float, target: float, below: bool = True) -> str:
    if math.isnan(value):
        return "no data"
    met = value < target if below else value >= target
    return "met" if met else "MISSED"


# MARK: processes


class Serve:
    """One `cronpp serve` process, its JSON log in a file."""

    def __init__(self, binary: str, db: str, workers: int, directory: str, label: str, extra: list[str] | None = None):
        self.log_path = os.path.join(directory, f"{label}.log")
        self.err_path = os.path.join(directory, f"{label}.err")
        arguments = [binary, "serve", "--db", db, "--workers", str(workers), "--log-format", "json",
                     "--retention", "0", "--grace", "10s", *(extra or [])]
        self.spawned = time.time()
        with open(self.log_path, "w") as out, open(self.err_path, "w") as err:
            self.process = subprocess.Popen(arguments, stdout=out, stderr=err, stdin=subprocess.DEVNULL)
        self.pid = self.process.pid
        self.started_at: float | None = None
        self.exit_code: int | None = None

    def wait_started(self, timeout: float = 120) -> float:
        """Waits for `serve.started`; returns the seconds from spawn to that line."""
        deadline = time.time() + timeout
        while time.time() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"serve exited with {self.process.returncode}: {open(self.err_path).read().strip()}")
            with open(self.log_path) as f:
                if any('"serve.started"' in line for line in f):
                    self.started_at = time.time()
                    return self.started_at - self.spawned
            time.sleep(0.05)
        raise RuntimeError("serve did not log serve.started in time")

    def cpu_seconds(self) -> float:
        """utime + stime of the whole process (all threads), from /proc/PID/stat."""
        with open(f"/proc/{self.pid}/stat") as f:
            fields = f.read().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / CLK_TCK

    def cpu_ns(self) -> int:
        """Time on CPU of every live thread, from /proc/PID/task/*/schedstat (nanoseconds)."""
        total = 0
        for path in glob.glob(f"/proc/{self.pid}/task/*/schedstat"):
            try:
                with open(path) as f:
                    total += int(f.read().split()[0])
            except (OSError, ValueError, IndexError):
                pass
        return total

    def memory_kb(self) -> dict[str, int]:
        values = {}
        with open(f"/proc/{self.pid}/status") as f:
            for line in f:
                key, _, rest = line.partition(":")
                if key in ("VmRSS", "VmHWM", "Threads"):
                    values[key] = int(rest.split()[0])
        return values

    def stop(self, timeout: float = 30) -> int:
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout)
            except subprocess.TimeoutExpired:
                log(f"serve {self.pid} did not stop within {timeout:.0f}s of SIGTERM; killing it")
                self.process.kill()
                self.process.wait()
        self.exit_code = self.process.returncode
        return self.exit_code

    def events(self) -> list[dict]:
        out = []
        with open(self.log_path) as f:
            for line in f:
                line = line.strip()
                if not line:
                    continue
                try:
                    out.append(json.loads(line))
                except json.JSONDecodeError:
                    out.append({"event": "unparsable", "level": "error", "line": line[:200]})
        return out

    def problems(self) -> list[str]:
        """Lines at warn or error, grouped by event, plus anything on stderr and a bad exit."""
        counts: dict[str, int] = {}
        samples: dict[str, str] = {}
        for event in self.events():
            if event.get("level") in ("warn", "warning", "error"):
                key = f"{event.get('level')} {event.get('event')}"
                counts[key] = counts.get(key, 0) + 1
                samples.setdefault(key, json.dumps(event)[:300])
        out = [f"{count} x {key}, e.g. {samples[key]}" for key, count in counts.items()]
        err = open(self.err_path).read().strip()
        if err:
            out.append(f"stderr: {err[:500]}")
        if self.exit_code not in (None, 0):
            out.append(f"exit status {self.exit_code}")
        return out


def apply_folder(binary: str, db: str, folder: str) -> float:
    started = time.perf_counter()
    subprocess.run([binary, "apply", "--db", db, folder], check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    return time.perf_counter() - started


def write_task_files(folder: str, count: int, prefix: str, header: callable, body: str) -> None:
    os.makedirs(folder, exist_ok=True)
    for i in range(count):
        name = f"{prefix}-{i:06d}"
        with open(os.path.join(folder, f"{name}.lua"), "w") as f:
            f.write(f"--- @task {name}\n{header(i)}{body}\n")


def remove_db(path: str) -> None:
    for suffix in ("", "-wal", "-shm"):
        if os.path.exists(path + suffix):
            os.remove(path + suffix)


def runs_in_window(db: str, start: float, end: float) -> list[sqlite3.Row]:
    with sqlite3.connect(db) as connection:
        connection.row_factory = sqlite3.Row
        return connection.execute(
            "SELECT id, task_id, trigger, scheduled_at, started_at, finished_at, status, result FROM run"
            " WHERE scheduled_at >= ? AND scheduled_at < ? AND trigger IN ('schedule', 'catchup')", (start, end)).fetchall()


def completeness(db: str, rows: list[sqlite3.Row], start: int, end: int) -> dict:
    """Every enabled task fires every second: which (task, second) of the window has no record,
    and of those, how many were claimed (the task's next_run_at, read after serve stopped, is
    past them) and so should have one."""
    with sqlite3.connect(db) as connection:
        tasks = dict(connection.execute("SELECT id, next_run_at FROM task WHERE enabled = 1"))
    seen: dict[tuple[int, int], int] = {}
    for row in rows:
        key = (row["task_id"], round(row["scheduled_at"]))
        seen[key] = seen.get(key, 0) + 1
    expected = len(tasks) * (end - start)
    missing = [(t, s) for t in tasks for s in range(start, end) if (t, s) not in seen]
    claimed = sum(1 for t, s in missing if tasks[t] is not None and s < tasks[t])
    duplicated = sum(1 for n in seen.values() if n > 1)
    return {"expected": expected, "recorded": len(seen), "missing": len(missing), "claimed_unrecorded": claimed,
            "duplicated": duplicated}


def steady_window(serve: Serve, warmup: float, duration: int) -> tuple[int, int]:
    start = math.ceil(serve.started_at + warmup)
    return start, start + duration


def sleep_until(instant: float) -> None:
    while (left := instant - time.time()) > 0:
        time.sleep(min(left, 1.0))


# MARK: scenarios


def serve_window(binary: str, db: str, workers: int, directory: str, name: str, warmup: float, duration: float):
    """Serves `db` through a steady window after a warm-up: serve, the window, serve's cores in it."""
    serve = Serve(binary, db, workers, directory, name)
    try:
        serve.wait_started()
        start, end = steady_window(serve, warmup, duration)
        sleep_until(start)
        cpu0, wall0 = serve.cpu_ns(), time.time()
        sleep_until(end)
        cpu1, wall1 = serve.cpu_ns(), time.time()
        time.sleep(3)  # drain: the window's last runs finish, queued fires get to run
    finally:
        serve.stop()
    return serve, start, end, (cpu1 - cpu0) / 1e9 / (wall1 - wall0)


def window_summary(db: str, serve, rows: list, start: float, end: float) -> tuple:
    """Statuses of the window's fires, runs recorded `success` in it, held fires dropped at stop."""
    statuses: dict[str, int] = {}
    for r in rows:
        statuses[r["status"]] = statuses.get(r["status"], 0) + 1
    with sqlite3.connect(db) as connection:
        finished = connection.execute(
            "SELECT COUNT(*) FROM run WHERE status = 'success' AND finished_at >= ? AND finished_at < ?", (start, end)).fetchone()[0]
    held_dropped = sum(e.get("held_dropped", 0) for e in serve.events() if e.get("event") == "serve.stopping")
    return statuses, finished, held_dropped


def bench_lateness(binary: str, directory: str, options) -> dict:
    count, workers = options.lateness_tasks, options.lateness_workers
    warmup, duration = (3, 8) if options.quick else (10, 25)
    folder, db = os.path.join(directory, "lateness-tasks"), os.path.join(directory, "lateness.sqlite")
    write_task_files(folder, count, "sec", lambda i: "--- @schedule * * * * * *\n", "return time.now()")
    apply_s = apply_folder(binary, db, folder)
    log(f"lateness: applied {count} task files in {apply_s:.2f}s; serving with {workers} workers")
    serve, start, end, cores = serve_window(binary, db, workers, directory, "lateness", warmup, duration)
    rows = [r for r in runs_in_window(db, start, end) if r["trigger"] == "schedule"]
    queued = {e["run"]: e.get("queued_ms") for e in serve.events() if e.get("event") == "run.finished"}
    started = [(r["started_at"] - r["scheduled_at"]) * 1000 for r in rows if r["status"] != "skipped"]
    script, body = [], []
    for r in rows:
        if r["status"] == "skipped":
            continue
        q = queued.get(r["id"])
        if q is not None:
            script.append((r["started_at"] - r["scheduled_at"]) * 1000 + q)
        try:
            body.append((float(json.loads(r["result"])) - r["scheduled_at"]) * 1000)
        except (TypeError, ValueError):
            pass
    statuses, finished, held_dropped = window_summary(db, serve, rows, start, end)
    result = {
        "tasks": count, "workers": workers, "apply_s": apply_s, "window_s": duration, "warmup_s": warmup,
        "start": started, "script": script, "body": body, "statuses": statuses, "success_per_s": finished / duration,
        "held_dropped": held_dropped,
        "complete": completeness(db, rows, start, end), "cpu_cores": cores,
        "problems": serve.problems(), "no_queued": sum(1 for r in rows if r["status"] != "skipped" and queued.get(r["id"]) is None),
    }
    if not options.keep:
        remove_db(db)
    return result


def hour_away_header(base: float):
    def header(i: int) -> str:
        fire = time.gmtime(base + (61 + i % 10) * 60)
        return f"--- @schedule {fire.tm_min} {fire.tm_hour} * * *\n--- @tz UTC\n"
    return header


def bench_idle(binary: str, directory: str, options) -> dict:
    count = 10_000
    settle, duration = (5, 15) if options.quick else (10, 60)
    folder, db = os.path.join(directory, "idle-tasks"), os.path.join(directory, "idle.sqlite")
    write_task_files(folder, count, "idle", hour_away_header(time.time()), "return 1")
    apply_s = apply_folder(binary, db, folder)
    with sqlite3.connect(db) as connection:
        soonest = connection.execute("SELECT MIN(next_run_at) FROM task WHERE enabled = 1").fetchone()[0]
    log(f"idle: applied {count} task files in {apply_s:.1f}s; the soonest fire is {(soonest - time.time()) / 60:.0f} min away")
    serve = Serve(binary, db, 8, directory, "idle")
    try:
        startup = serve.wait_started()
        time.sleep(settle)
        ticks0, ns0, wall0 = serve.cpu_seconds(), serve.cpu_ns(), time.time()
        time.sleep(duration)
        ticks1, ns1, wall1 = serve.cpu_seconds(), serve.cpu_ns(), time.time()
        memory = serve.memory_kb()
    finally:
        serve.stop()
    with sqlite3.connect(db) as connection:
        runs = connection.execute("SELECT COUNT(*) FROM run").fetchone()[0]
    wall = wall1 - wall0
    result = {
        "tasks": count, "apply_s": apply_s, "startup_s": startup, "window_s": wall, "runs": runs,
        "cpu_pct": (ticks1 - ticks0) / wall * 100, "cpu_pct_schedstat": (ns1 - ns0) / 1e9 / wall * 100,
        "cpu_ms": (ticks1 - ticks0) * 1000, "rss_kb": memory.get("VmRSS"), "problems": serve.problems(),
    }
    if not options.keep:
        remove_db(db)
    return result


def sql_tasks(binary: str, db: str, count: int) -> float:
    """`count` tasks as copies of the row `cronpp add` wrote, every column, names changed."""
    started = time.perf_counter()
    subprocess.run([binary, "add", "mem-000000", "--schedule", "0 0 1 1 *", "--tz", "UTC", "--lua", "return 1", "--db", db],
                   check=True, stdout=subprocess.DEVNULL)
    with sqlite3.connect(db) as connection:
        connection.row_factory = sqlite3.Row
        template = dict(connection.execute("SELECT * FROM task WHERE name = 'mem-000000'").fetchone())
        columns = [c for c in template if c != "id"]
        values = [template[c] for c in columns]
        at = columns.index("name")

        def rows():
            for i in range(1, count):
                row = list(values)
                row[at] = f"mem-{i:06d}"
                yield row

        connection.execute("BEGIN")
        connection.executemany(f"INSERT INTO task ({', '.join(columns)}) VALUES ({', '.join('?' for _ in columns)})", rows())
        connection.commit()
        connection.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    return time.perf_counter() - started


def bench_memory(binary: str, directory: str, options) -> dict:
    count, settle = 100_000, 10
    db = os.path.join(directory, "memory.sqlite")
    insert_s = sql_tasks(binary, db, count)
    log(f"memory: inserted {count} tasks with SQL in {insert_s:.1f}s")
    apply_s = None
    if options.time_apply and not options.quick:
        folder, apply_db = os.path.join(directory, "memory-tasks"), os.path.join(directory, "memory-apply.sqlite")
        write_task_files(folder, count, "mem", lambda i: "--- @schedule 0 0 1 1 *\n--- @tz UTC\n", "return 1")
        apply_s = apply_folder(binary, apply_db, folder)
        log(f"memory: `cronpp apply` of {count} files took {apply_s:.1f}s (for the record; the SQL copy is measured)")
        remove_db(apply_db)
        shutil.rmtree(folder)
    serve = Serve(binary, db, 8, directory, "memory")
    try:
        startup = serve.wait_started()
        early = serve.memory_kb()
        time.sleep(settle)
        memory = serve.memory_kb()
        cpu = serve.cpu_seconds()
    finally:
        serve.stop()
    result = {
        "tasks": count, "insert_s": insert_s, "apply_s": apply_s, "startup_s": startup, "rss_kb": memory["VmRSS"],
        "hwm_kb": memory["VmHWM"], "threads": memory.get("Threads"), "rss_at_start_kb": early["VmRSS"], "cpu_s": cpu,
        "problems": serve.problems(),
    }
    if not options.keep:
        remove_db(db)
    return result


def bench_throughput(binary: str, directory: str, options) -> dict:
    count, workers = options.throughput_tasks, options.throughput_workers
    warmup, duration = (3, 8) if options.quick else (5, 20)
    folder, db = os.path.join(directory, "throughput-tasks"), os.path.join(directory, "throughput.sqlite")
    write_task_files(folder, count, "tp", lambda i: "--- @schedule * * * * * *\n", "return 1")
    apply_s = apply_folder(binary, db, folder)
    log(f"throughput: applied {count} task files in {apply_s:.2f}s; serving with {workers} workers")
    serve, start, end, cores = serve_window(binary, db, workers, directory, "throughput", warmup, duration)
    rows = runs_in_window(db, start, end)
    statuses, finished, held_dropped = window_summary(db, serve, rows, start, end)
    started = [(r["started_at"] - r["scheduled_at"]) * 1000 for r in rows if r["trigger"] == "schedule" and r["status"] != "skipped"]
    result = {
        "tasks": count, "workers": workers, "apply_s": apply_s, "window_s": duration, "warmup_s": warmup,
        "success_per_s": finished / duration, "statuses": statuses, "complete": completeness(db, rows, start, end),
        "start": started, "cpu_cores": cores, "held_dropped": held_dropped,
        "catchup": sum(1 for r in rows if r["trigger"] == "catchup"), "problems": serve.problems(),
    }
    if not options.keep:
        remove_db(db)
    return result


def cron_daemon_running() -> bool:
    for path in glob.glob("/proc/[0-9]*/comm"):
        try:
            if open(path).read().strip() == "cron":
                return True
        except OSError:
            pass
    return False


def bench_cron(binary: str, directory: str, options) -> dict:
    minutes = 1 if options.quick else options.cron_minutes
    if not shutil.which("cron"):
        if os.geteuid() != 0:
            return {"skipped": "cron is not installed and this is not root"}
        # We are root on the benchmark machines: install Debian's cron for the comparison.
        log("cron: not installed; apt-get install -y cron")
        subprocess.run(["apt-get", "install", "-y", "cron"], check=True, stdout=subprocess.DEVNULL,
                       env={**os.environ, "DEBIAN_FRONTEND": "noninteractive"})
    if os.geteuid() != 0:
        return {"skipped": "writing /etc/cron.d needs root"}
    version = subprocess.run(["dpkg-query", "-W", "-f", "${Version}", "cron"], capture_output=True, text=True).stdout.strip()
    out_path = os.path.join(directory, "cron-fires.txt")
    db = os.path.join(directory, "minutely.sqlite")
    subprocess.run([binary, "add", "minutely", "--schedule", "* * * * *", "--lua", "return time.now()", "--db", db],
                   check=True, stdout=subprocess.DEVNULL)
    preexisting = cron_daemon_running()
    daemon = None
    serve = None
    try:
        with open(CRON_FILE, "w") as f:
            f.write("# cronpp scripts/bench_serve.py; removed when the benchmark ends\n"
                    f"* * * * * root date +\\%s.\\%N >> {out_path}\n")
        os.chmod(CRON_FILE, 0o644)
        if not preexisting:
            daemon = subprocess.Popen(["cron", "-f"], stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        serve = Serve(binary, db, 2, directory, "minutely")
        serve.wait_started()
        # Both must be up before the first boundary counted.
        first = math.floor(time.time() / 60) * 60 + 60
        if first - time.time() < 5:
            first += 60
        last = first + (minutes - 1) * 60
        log(f"cron: waiting for {minutes} minute boundaries, until {time.strftime('%H:%M:%S', time.gmtime(last + 5))} UTC")
        sleep_until(last + 5)
    finally:
        if serve:
            serve.stop()
        if daemon:
            daemon.terminate()
            try:
                daemon.wait(10)
            except subprocess.TimeoutExpired:
                daemon.kill()
                daemon.wait()
        if os.path.exists(CRON_FILE):
            os.remove(CRON_FILE)
    cron = []
    if os.path.exists(out_path):
        for line in open(out_path):
            try:
                t = float(line.strip())
            except ValueError:
                continue
            boundary = math.floor(t / 60) * 60
            if first <= boundary <= last:
                cron.append((t - boundary) * 1000)
    with sqlite3.connect(db) as connection:
        rows = connection.execute(
            "SELECT scheduled_at, started_at, result FROM run WHERE trigger = 'schedule' AND scheduled_at >= ? AND scheduled_at <= ?",
            (first, last)).fetchall()
    started = [(s2 - s1) * 1000 for s1, s2, _ in rows]
    body = []
    for s1, _, result in rows:
        try:
            body.append((float(json.loads(result)) - s1) * 1000)
        except (TypeError, ValueError):
            pass
    out = {
        "minutes": minutes, "version": version, "preexisting": preexisting, "cron": cron, "start": started, "body": body,
        "problems": serve.problems() if serve else [],
    }
    if not options.keep:
        remove_db(db)
    return out


# MARK: report


def fmt(value: float, digits: int = 2) -> str:
    return "-" if value is None or (isinstance(value, float) and math.isnan(value)) else f"{value:.{digits}f}"


def ratio(a: float, b: float) -> str:
    if a is None or b is None or math.isnan(a) or math.isnan(b) or b <= 0:
        return "-"
    r = a / b
    return f"{r:.2f}x" if r < 1 else f"{r:.1f}x" if r < 10 else f"{r:.0f}x"


def report(results: dict, options, load: tuple, elapsed: float) -> None:
    print(f"Machine: {platform.processor() or platform.machine()}, {os.cpu_count()} cores, {platform.system()} {platform.release()};"
          f" Python {platform.python_version()}; load average {load[0]:.1f} {load[1]:.1f} {load[2]:.1f} at the start,"
          f" {os.getloadavg()[0]:.1f} at the end; {time.strftime('%Y-%m-%d')}; {'--quick' if options.quick else 'full run'},"
          f" {elapsed / 60:.1f} min.\n")

    print("| target | measured | result |")
    print("| --- | ---: | --- |")
    lat, idle, mem, tp = results.get("lateness"), results.get("idle"), results.get("memory"), results.get("throughput")
    if lat:
        p50, p99 = percentile(lat["start"], 50), percentile(lat["start"], 99)
        print(f"| fire lateness p50 < 5 ms ({lat['tasks']:,} every-second tasks) | {fmt(p50)} ms | {verdict(p50, TARGETS['lateness_p50_ms'])}"
              f" ({ratio(p50, TARGETS['lateness_p50_ms'])} of target) |")
        print(f"| fire lateness p99 < 20 ms | {fmt(p99)} ms | {verdict(p99, TARGETS['lateness_p99_ms'])}"
              f" ({ratio(p99, TARGETS['lateness_p99_ms'])} of target) |")
    if idle:
        print(f"| idle CPU < 0.5% of a core (10,000 tasks) | {fmt(idle['cpu_pct'], 3)}% | {verdict(idle['cpu_pct'], TARGETS['idle_cpu_pct'])}"
              f" ({ratio(idle['cpu_pct'], TARGETS['idle_cpu_pct'])} of target) |")
    if mem:
        rss = mem["rss_kb"] / 1024
        print(f"| RSS < 150 MB (100,000 tasks) | {fmt(rss, 1)} MB | {verdict(rss, TARGETS['rss_mb'])}"
              f" ({ratio(rss, TARGETS['rss_mb'])} of target) |")
    if tp:
        rate = tp["success_per_s"]
        print(f"| >= 1,000 recorded runs/s ({tp['tasks']:,} every-second tasks) | {rate:,.0f}/s | {verdict(rate, TARGETS['runs_per_s'], below=False)}"
              f" ({ratio(rate, TARGETS['runs_per_s'])} of target) |")
    print()

    if lat:
        print(f"**Lateness**: {lat['tasks']:,} tasks `* * * * * *`, body `return time.now()`, `--workers {lat['workers']}`;"
              f" fires scheduled in a {lat['window_s']} s window after {lat['warmup_s']} s of warm-up; ms after the scheduled second.\n")
        print("| measure | runs | p50 ms | p90 ms | p99 ms | max ms |")
        print("| --- | ---: | ---: | ---: | ---: | ---: |")
        for label, values in (("start: run.started_at - scheduled_at (store)", lat["start"]),
                              ("script start: start + queued_ms (log)", lat["script"]),
                              ("body's own time.now() - scheduled_at (result)", lat["body"])):
            print(f"| {label} | {len(values):,} | {fmt(percentile(values, 50))} | {fmt(percentile(values, 90))} |"
                  f" {fmt(percentile(values, 99))} | {fmt(max(values) if values else math.nan)} |")
        c = lat["complete"]
        print(f"\nFires in the window: {c['expected']:,} expected, {c['recorded']:,} with a run record, {c['missing']:,} missing"
              f" ({c['claimed_unrecorded']:,} of them claimed), {c['duplicated']:,} recorded twice;"
              f" statuses {', '.join(f'{k} {v:,}' for k, v in sorted(lat['statuses'].items()))};"
              f" {lat['success_per_s']:,.0f} runs/s recorded `success`; {lat['held_dropped']:,} held fires dropped at stop;"
              f" {lat['no_queued']} runs without a run.finished line; serve used {lat['cpu_cores']:.2f} cores;"
              f" `cronpp apply` of the {lat['tasks']:,} files: {lat['apply_s']:.2f} s.\n")
    if tp:
        c = tp["complete"]
        print(f"**Throughput**: {tp['tasks']:,} tasks `* * * * * *`, body `return 1`, `--workers {tp['workers']}`,"
              f" {tp['window_s']} s window after {tp['warmup_s']} s of warm-up.\n")
        print("| measure | value |")
        print("| --- | ---: |")
        print(f"| fires offered | {tp['tasks']:,}/s |")
        print(f"| runs recorded `success`, by finished_at in the window | {tp['success_per_s']:,.0f}/s |")
        print(f"| fires scheduled in the window | {c['expected']:,} |")
        print(f"| with a run record | {c['recorded']:,} |")
        print(f"| missing (no record) | {c['missing']:,} |")
        print(f"| of which claimed (next_run_at moved past them) | {c['claimed_unrecorded']:,} |")
        print(f"| statuses of the window's fires | {', '.join(f'{k} {v:,}' for k, v in sorted(tp['statuses'].items()))} |")
        print(f"| catch-up runs; fires held in memory dropped at stop | {tp['catchup']:,}; {tp['held_dropped']:,} |")
        print(f"| start lateness p50 / p99 | {fmt(percentile(tp['start'], 50))} / {fmt(percentile(tp['start'], 99))} ms |")
        print(f"| serve CPU | {tp['cpu_cores']:.2f} cores |")
        print()
    if idle:
        print(f"**Idle**: {idle['tasks']:,} tasks, next fires 61-70 min away; start-up {idle['startup_s']:.2f} s;"
              f" over {idle['window_s']:.0f} s: {idle['cpu_ms']:.0f} ms of CPU (utime+stime) = {idle['cpu_pct']:.3f}% of a core"
              f" (schedstat of the live threads: {idle['cpu_pct_schedstat']:.3f}%); {idle['runs']} runs;"
              f" RSS {idle['rss_kb'] / 1024:.1f} MB; `cronpp apply` of the 10,000 files: {idle['apply_s']:.1f} s.\n")
    if mem:
        apply = f"; `cronpp apply` of 100,000 files: {mem['apply_s']:.1f} s" if mem["apply_s"] is not None else ""
        print(f"**Memory**: {mem['tasks']:,} tasks (`0 0 1 1 *`), inserted with SQL in {mem['insert_s']:.1f} s{apply};"
              f" start-up {mem['startup_s']:.2f} s; RSS {mem['rss_at_start_kb'] / 1024:.1f} MB at `serve.started`,"
              f" VmRSS {mem['rss_kb'] / 1024:.1f} MB and VmHWM {mem['hwm_kb'] / 1024:.1f} MB 10 s later; {mem['threads']} threads;"
              f" {mem['cpu_s']:.2f} s of CPU since spawn.\n")
    cron = results.get("cron")
    if cron and "skipped" in cron:
        print(f"**Debian cron**: skipped ({cron['skipped']}).\n")
    elif cron:
        print(f"**Against Debian cron** {cron['version']}: `* * * * * date +%s.%N >> FILE` in /etc/cron.d and a cronpp task"
              f" `* * * * *` (`return time.now()`, its own `serve --workers 2`), over the same {cron['minutes']} minute"
              f" boundaries; ms after the minute.\n")
        print("| scheduler | fires | p50 ms | max ms |")
        print("| --- | ---: | ---: | ---: |")
        rows = [("Debian cron: `date` ran", cron["cron"]), ("cronpp serve: started (started_at)", cron["start"]),
                ("cronpp serve: script's time.now()", cron["body"])]
        if lat:
            rows.append((f"cronpp serve, {lat['tasks']:,} every-second tasks: script start", lat["script"]))
        for label, values in rows:
            print(f"| {label} | {len(values):,} | {fmt(percentile(values, 50))} | {fmt(max(values) if values else math.nan)} |")
        c50 = percentile(cron["cron"], 50)
        print(f"\nDebian cron p50 / cronpp minutely script p50: {ratio(c50, percentile(cron['body'], 50))};"
              f" / cronpp minutely start p50: {ratio(c50, percentile(cron['start'], 50))}"
              + (f"; / cronpp under {lat['tasks']:,} every-second tasks, script start p50: {ratio(c50, percentile(lat['script'], 50))}" if lat else "")
              + ("; a cron daemon was already running and was used as it was" if cron["preexisting"] else "") + ".\n")

    problems = [(name, p) for name, r in results.items() if isinstance(r, dict) for p in r.get("problems", [])]
    if problems:
        print("Serve logged or exited with:")
        for name, problem in problems:
            print(f"- {name}: {problem}")
    else:
        print("Serve logged no warning or error and exited 0 in every scenario.")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--quick", action="store_true", help="short windows, one cron minute: a smoke check")
    parser.add_argument("--no-build", action="store_true", help="use the binary already in .build-bench")
    parser.add_argument("--keep", metavar="DIR", help="work in DIR and keep the databases and logs")
    parser.add_argument("--lateness-tasks", type=int, default=1000)
    parser.add_argument("--lateness-workers", type=int, default=4)
    parser.add_argument("--throughput-tasks", type=int, default=2000)
    parser.add_argument("--throughput-workers", type=int, default=4)
    parser.add_argument("--cron-minutes", type=int, default=4)
    parser.add_argument("--no-cron", action="store_true", help="leave Debian cron out")
    parser.add_argument("--no-apply-timing", dest="time_apply", action="store_false",
                        help="do not time `cronpp apply` of 100,000 files (--quick never does)")
    parser.add_argument("--only", choices=["lateness", "idle", "memory", "throughput", "cron"], action="append")
    options = parser.parse_args()

    binary = os.path.join(ROOT, SCRATCH, "release", "cronpp") if options.no_build else build()
    directory = options.keep or tempfile.mkdtemp(prefix="cronpp-bench-serve-")
    os.makedirs(directory, exist_ok=True)
    load, began = os.getloadavg(), time.time()
    log(f"working in {directory}")
    scenarios = [("lateness", bench_lateness), ("throughput", bench_throughput), ("idle", bench_idle),
                 ("memory", bench_memory), ("cron", bench_cron)]
    results = {}
    for name, function in scenarios:
        if options.only and name not in options.only or (name == "cron" and options.no_cron):
            continue
        log(f"{name} ...")
        results[name] = function(binary, directory, options)
    report(results, options, load, time.time() - began)
    if not options.keep:
        shutil.rmtree(directory, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
