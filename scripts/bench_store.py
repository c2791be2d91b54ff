#!/usr/bin/env python3
"""Store benchmarks: `cronpp ls` over many tasks and `cronpp show` of a task with a long history.

    python3 scripts/bench_store.py [--tasks N] [--runs N] [--repeats N] [--no-build] [--keep DIR]

Builds the release binary (swift build -c release --product cronpp --scratch-path .build-store),
then makes two databases in a temporary folder, each started by the binary itself (`cronpp add`,
so the schema is the real, migrated one) and filled with bulk INSERTs through sqlite3 into the
same tables:
  - tasks.sqlite: --tasks tasks (default 10,000) over 24 typical schedules in 6 zones, a tenth
    with H fields, tags as JSON arrays, counters and last/next run instants;
  - runs.sqlite: the task `big` with --runs runs (default 100,000, one a minute, 3% failed) and
    the task `other` with half as many, so per-task queries must be selective.
Each command runs as a whole process, stdout to /dev/null: 3 warm-up runs, then --repeats timed
runs (default 15); the median and the minimum are printed as a Markdown table, with the
targets (`ls --json` < 300 ms, `show` < 100 ms). A measurement, not a test: exit status 0
either way.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import random
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
SCRATCH = ".build-store"

SCHEDULES = [
    "* * * * *", "*/5 * * * *", "*/15 * * * *", "0 * * * *", "30 * * * *", "15,45 */2 * * *",
    "0 */6 * * *", "0 0 * * *", "30 2 * * *", "0 9 * * MON-FRI", "*/10 9-17 * * 1-5",
    "0 8,12,18 * * *", "0 0 * * SUN", "0 3 * * 0", "0 0 1 * *", "0 0 L * *", "0 12 1,15 * *",
    "0 0 1 1 *", "0 9 * * 1#1", "@daily", "@hourly", "@every 90m", "@every 30s", "0 */30 * * * *",
]
HASHED = ["H H * * *", "H/15 * * * *", "H 2 * * *"]
ZONES = [None, "UTC", "Europe/Berlin", "America/New_York", "Asia/Kolkata", "Australia/Sydney"]
TAGS = [[], ["ops"], ["ops", "nightly"], ["reports"], ["billing", "critical"]]

TARGETS = {"ls --json": 300.0, "show big": 100.0}


def build() -> str:
    subprocess.run(["swift", "build", "-c", "release", "--product", "cronpp", "--scratch-path", SCRATCH], cwd=ROOT, check=True)
    bin_path = subprocess.run(
        ["swift", "build", "-c", "release", "--scratch-path", SCRATCH, "--show-bin-path"],
        cwd=ROOT, check=True, capture_output=True, text=True).stdout.strip()
    return os.path.join(bin_path, "cronpp")


def cronpp(binary: str, db: str, *arguments: str) -> None:
    subprocess.run([binary, *arguments, "--db", db], check=True, stdout=subprocess.DEVNULL)


def template(connection: sqlite3.Connection, name: str) -> dict:
    """The row `cronpp add` wrote, as a dict, to copy every column's default from."""
    connection.row_factory = sqlite3.Row
    row = connection.execute("SELECT * FROM task WHERE name = ?", (name,)).fetchone()
    connection.row_factory = None
    return dict(row)


def insert_tasks(connection: sqlite3.Connection, rows: list[dict]) -> None:
    columns = [c for c in rows[0] if c != "id"]
    sql = f"INSERT INTO task ({', '.join(columns)}) VALUES ({', '.join('?' for _ in columns)})"
    connection.executemany(sql, ([row[c] for c in columns] for row in rows))


def make_tasks_db(binary: str, path: str, count: int, now: float) -> None:
    cronpp(binary, path, "add", "seed-a", "--schedule", "*/5 * * * *", "--lua", "return 1", "--tag", "ops")
    cronpp(binary, path, "add", "seed-b", "--schedule", "0 9 * * MON-FRI", "--tz", "Europe/Berlin", "--lua", "return 1")
    rng = random.Random(7)
    with sqlite3.connect(path) as connection:
        base = template(connection, "seed-a")
        rows = []
        for i in range(count - 2):
            row = dict(base)
            success, failure = rng.randint(0, 5000), rng.randint(0, 200)
            failing = rng.random() < 0.05
            last = now - rng.uniform(60, 86_400)
            row.update(
                name=f"task-{i:05d}",
                description=f"benchmark task {i}",
                schedule=rng.choice(HASHED) if rng.random() < 0.1 else rng.choice(SCHEDULES),
                time_zone=rng.choice(ZONES),
                body="local n = 0\nfor i = 1, 10 do n = n + i end\nreturn n\n",
                enabled=0 if rng.random() < 0.1 else 1,
                tags=json.dumps(rng.choice(TAGS)),
                capabilities=json.dumps(["http"] if rng.random() < 0.2 else []),
                next_run_at=now + rng.uniform(1, 86_400),
                success_count=success,
                failure_count=failure,
                consecutive_failures=rng.randint(1, 4) if failing else 0,
                last_run_at=last,
                last_status="failed" if failing else "success",
                last_success_at=last - (3600 if failing else 0),
                last_failure_at=last if failing else last - 7200,
                created_at=now - 30 * 86_400,
                updated_at=now - 86_400,
            )
            rows.append(row)
        insert_tasks(connection, rows)


def insert_runs(connection: sqlite3.Connection, task_id: int, count: int, now: float, rng: random.Random) -> None:
    def runs():
        for i in range(count):
            started = now - (count - i) * 60.0
            failed = rng.random() < 0.03
            duration = rng.lognormvariate(0.0, 0.8)
            yield (
                task_id, "schedule", 1, started, started + 0.002, started + 0.002 + duration, duration,
                "failed" if failed else "success", None if failed else '{"rows":42}',
                "task.lua:12: connection refused" if failed else None,
                "stack traceback:\n\t[C]: in function 'error'\n\ttask.lua:12: in main chunk" if failed else None,
                "bench-host:4242",
            )

    connection.executemany(
        "INSERT INTO run (task_id, trigger, attempt, scheduled_at, started_at, finished_at, duration, status, result, error, traceback, instance_id)"
        " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)", runs())
    # Two log lines for the newest hundred runs, as a run with output has them.
    connection.execute(
        "INSERT INTO run_log (run_id, seq, at, level, message) SELECT id, 0, started_at, 'info', 'starting' FROM run"
        " WHERE task_id = ? ORDER BY started_at DESC LIMIT 100", (task_id,))
    connection.execute(
        "INSERT INTO run_log (run_id, seq, at, level, message) SELECT id, 1, finished_at, 'info', 'done' FROM run"
        " WHERE task_id = ? ORDER BY started_at DESC LIMIT 100", (task_id,))
    # The counters `Store.record` keeps, as if every run had gone through it.
    connection.execute(
        """UPDATE task SET
             success_count = (SELECT COUNT(*) FROM run WHERE task_id = task.id AND status = 'success'),
             failure_count = (SELECT COUNT(*) FROM run WHERE task_id = task.id AND status = 'failed'),
             last_run_at = (SELECT MAX(finished_at) FROM run WHERE task_id = task.id),
             last_status = (SELECT status FROM run WHERE task_id = task.id ORDER BY started_at DESC LIMIT 1),
             last_success_at = (SELECT MAX(finished_at) FROM run WHERE task_id = task.id AND status = 'success'),
             last_failure_at = (SELECT MAX(finished_at) FROM run WHERE task_id = task.id AND status = 'failed')
           WHERE id = ?""", (task_id,))


def make_runs_db(binary: str, path: str, count: int, now: float) -> None:
    cronpp(binary, path, "add", "big", "--schedule", "* * * * *", "--tz", "UTC", "--lua", "return {rows = 42}")
    cronpp(binary, path, "add", "other", "--schedule", "*/2 * * * *", "--lua", "return 1")
    rng = random.Random(11)
    with sqlite3.connect(path) as connection:
        ids = dict(connection.execute("SELECT name, id FROM task"))
        insert_runs(connection, ids["big"], count, now, rng)
        insert_runs(connection, ids["other"], count // 2, now, rng)
    with sqlite3.connect(path) as connection:
        connection.execute("PRAGMA wal_checkpoint(TRUNCATE)")


def time_command(arguments: list[str], repeats: int, warmups: int = 3) -> list[float]:
    for _ in range(warmups):
        subprocess.run(arguments, check=True, stdout=subprocess.DEVNULL)
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        subprocess.run(arguments, check=True, stdout=subprocess.DEVNULL)
        times.append((time.perf_counter() - start) * 1000)
    return times


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--tasks", type=int, default=10_000)
    parser.add_argument("--runs", type=int, default=100_000)
    parser.add_argument("--repeats", type=int, default=15)
    parser.add_argument("--no-build", action="store_true", help="use the binary already in .build-store")
    parser.add_argument("--keep", metavar="DIR", help="make the databases in DIR and keep them")
    args = parser.parse_args()
    if args.repeats < 10:
        parser.error("--repeats: use 10 or more, the median needs them")

    binary = os.path.join(ROOT, SCRATCH, "release", "cronpp") if args.no_build else build()
    directory = args.keep or tempfile.mkdtemp(prefix="cronpp-bench-store-")
    os.makedirs(directory, exist_ok=True)
    tasks_db, runs_db = os.path.join(directory, "tasks.sqlite"), os.path.join(directory, "runs.sqlite")
    for path in (tasks_db, runs_db):
        for suffix in ("", "-wal", "-shm"):
            if os.path.exists(path + suffix):
                os.remove(path + suffix)
    now = time.time()
    started = time.perf_counter()
    make_tasks_db(binary, tasks_db, args.tasks, now)
    make_runs_db(binary, runs_db, args.runs, now)
    print(f"databases made in {time.perf_counter() - started:.1f}s in {directory}", file=sys.stderr)

    with sqlite3.connect(runs_db) as connection:
        newest = connection.execute("SELECT MAX(id) FROM run WHERE task_id = (SELECT id FROM task WHERE name = 'big')").fetchone()[0]
    commands = [
        ("ls --json", tasks_db, ["ls", "--json"]),
        ("ls", tasks_db, ["ls"]),
        ("ls --tag ops --failing", tasks_db, ["ls", "--tag", "ops", "--failing"]),
        ("show big", runs_db, ["show", "big"]),
        ("show big --json", runs_db, ["show", "big", "--json"]),
        ("logs big --status failed --since 7d", runs_db, ["logs", "big", "--status", "failed", "--since", "7d"]),
        ("logs --run ID", runs_db, ["logs", "--run", str(newest)]),
        ("--version (process floor)", None, ["--version"]),
    ]
    print(f"Machine: {platform.machine()}, {os.cpu_count()} cores, {platform.system()} {platform.release()};"
          f" load average {os.getloadavg()[0]:.1f}; {args.tasks:,} tasks; {args.runs:,} + {args.runs // 2:,} runs.")
    print(f"Release build, whole process, stdout to /dev/null; median and minimum of {args.repeats} runs after 3 warm-up.\n")
    print("| command | database | median ms | min ms | target |")
    print("| --- | --- | ---: | ---: | --- |")
    for label, db, arguments in commands:
        full = [binary, *arguments] + (["--db", db] if db else [])
        times = time_command(full, args.repeats)
        median = statistics.median(times)
        target = TARGETS.get(label)
        verdict = "" if target is None else f"< {target:.0f} ms: {'met' if median < target else 'MISSED'}"
        where = "-" if db is None else os.path.basename(db)
        print(f"| `cronpp {label}` | {where} | {median:.1f} | {min(times):.1f} | {verdict} |")
        sys.stdout.flush()
    if not args.keep:
        for path in (tasks_db, runs_db):
            for suffix in ("", "-wal", "-shm"):
                if os.path.exists(path + suffix):
                    os.remove(path + suffix)
        os.rmdir(directory)
    return 0


if __name__ == "__main__":
    sys.exit(main())
