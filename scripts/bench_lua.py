#!/usr/bin/env python3
"""Lua runtime overhead: what one sandboxed run of a trivial task (`return 1`) costs.

    python3 scripts/bench_lua.py [--runs N] [--repeats N] [--no-build] [--process]

Builds the release product `cronpp-lua-bench` (and with --process `cronpp`) into .build-bench,
then in one run:
  - cronpp-lua-bench: `LuaRuntime.run("return 1")` --runs times (default 20,000), best of
    --repeats (default 5): a fresh state, the sandbox and its budgets, the bridges' prelude,
    the result as JSON, the state closed. Beside it, in the same process, a bare Lua state
    (luaL_newstate, luaL_openlibs, load, call, lua_close) as the in-process peer;
  - for scale, whole processes timed with hyperfine (-N, 10 warm-ups, 100 runs): the `lua5.4`
    interpreter running `return 1`, and with --process `cronpp run --script` on the same file.
Prints a Markdown table with the target (< 100 microseconds per trivial run in process).
A measurement, not a test: exit status 0 either way.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import shutil
import subprocess
import tempfile

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
SCRATCH = ".build-bench"
TARGET_US = 100.0


def build(process: bool) -> str:
    for product in ("cronpp-lua-bench", "cronpp") if process else ("cronpp-lua-bench",):
        subprocess.run(["swift", "build", "-c", "release", "--product", product, "--scratch-path", SCRATCH], cwd=ROOT, check=True)
    return subprocess.run(
        ["swift", "build", "-c", "release", "--scratch-path", SCRATCH, "--show-bin-path"],
        cwd=ROOT, check=True, capture_output=True, text=True).stdout.strip()


def hyperfine(command: list[str]) -> dict:
    with tempfile.NamedTemporaryFile(suffix=".json") as out:
        subprocess.run(["hyperfine", "-N", "--warmup", "10", "--runs", "100", "--export-json", out.name, " ".join(command)],
                       check=True, stdout=subprocess.DEVNULL)
        result = json.load(open(out.name))["results"][0]
    return {"median_ms": result["median"] * 1e3, "min_ms": result["min"] * 1e3}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=20_000)
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--no-build", action="store_true")
    parser.add_argument("--process", action="store_true", help="also time `cronpp run --script` as a whole process")
    options = parser.parse_args()

    bin_path = os.path.join(ROOT, SCRATCH, "release") if options.no_build else build(options.process)
    line = subprocess.run([os.path.join(bin_path, "cronpp-lua-bench"), "--runs", str(options.runs), "--repeats", str(options.repeats)],
                          check=True, capture_output=True, text=True).stdout
    inprocess = json.loads(line)

    processes = {}
    with tempfile.TemporaryDirectory() as scratch:
        script = os.path.join(scratch, "trivial.lua")
        with open(script, "w") as f:
            f.write("return 1\n")
        if shutil.which("hyperfine"):
            if shutil.which("lua5.4"):
                processes["lua5.4 trivial.lua (process)"] = hyperfine(["lua5.4", script])
            if options.process:
                processes["cronpp run --script trivial.lua (process)"] = hyperfine(
                    [os.path.join(bin_path, "cronpp"), "run", "--script", script, "--json"])

    load = os.getloadavg()
    print(f"Machine: {platform.processor() or platform.machine()}, {os.cpu_count()} cores; load average {load[0]:.1f} {load[1]:.1f} {load[2]:.1f}")
    print()
    print("| measurement | per run | note |")
    print("| --- | ---: | --- |")
    verdict = "met" if inprocess["cronpp_us"] < TARGET_US else "NOT met"
    print(f"| cronpp sandboxed run, in process | {inprocess['cronpp_us']:.1f} µs | target < {TARGET_US:.0f} µs: {verdict}; best of {options.repeats} x {options.runs} runs |")
    print(f"| bare Lua state, in process | {inprocess['bare_lua_us']:.1f} µs | luaL_newstate + luaL_openlibs + load + call + close |")
    print(f"| ratio cronpp / bare | {inprocess['ratio']:.2f}x | same process, same run |")
    for name, figures in processes.items():
        print(f"| {name} | {figures['median_ms']:.2f} ms | median of 100, min {figures['min_ms']:.2f} ms |")


if __name__ == "__main__":
    main()
