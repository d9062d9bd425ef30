#!/usr/bin/env python3
"""Benchmark: two builds of journeymap on the same command, alternated.

    cargo build --release && cp target/release/journeymap /tmp/jm-new
    python3 bench/ab.py /tmp/jm-old /tmp/jm-new --runs 10 -- kpis /tmp/bench

Runs A and B alternately (A B A B …) so that the machine's drift hits both alike; wall
time, CPU time (user + system) and peak RSS come from wait4(). Prints each side's median, min and max, and the
ratio of the medians. Fails when the two print different outputs (stdout).
"""

import argparse
import os
import statistics
import subprocess
import sys
import time


def run(binary, args):
    start = time.perf_counter()
    proc = subprocess.Popen([binary, *args], stdout=subprocess.PIPE, stderr=subprocess.DEVNULL)
    out = proc.stdout.read()
    _, status, usage = os.wait4(proc.pid, 0)
    wall = time.perf_counter() - start
    if os.waitstatus_to_exitcode(status) != 0:
        sys.exit(f"{binary} {' '.join(args)} failed")
    return wall, usage.ru_maxrss / 1024, usage.ru_utime + usage.ru_stime, out


def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("a")
    p.add_argument("b")
    p.add_argument("--runs", type=int, default=10)
    p.add_argument(
        "--outputs-differ",
        action="store_true",
        help="B adds to the output on purpose (new kpis.json keys): do not compare outputs",
    )
    argv = sys.argv[1:]
    if "--" not in argv:
        p.error("give the journeymap arguments after `--`")
    split = argv.index("--")
    o = p.parse_args(argv[:split])
    args = argv[split + 1 :]
    results = {o.a: [], o.b: []}
    outputs = {}
    run(o.a, args)  # warm the page cache
    for _ in range(o.runs):
        for binary in (o.a, o.b):
            wall, rss, cpu, out = run(binary, args)
            results[binary].append((wall, rss, cpu))
            outputs.setdefault(binary, out)
    if outputs[o.a] != outputs[o.b] and not o.outputs_differ:
        sys.exit("the two builds print different outputs")
    medians = {}
    for binary, rs in results.items():
        walls = [w for w, _, _ in rs]
        medians[binary] = statistics.median(walls)
        print(
            f"{binary}: median {medians[binary]:.3f} s (min {min(walls):.3f}, max {max(walls):.3f}), "
            f"CPU {statistics.median(c for _, _, c in rs):.3f} s, "
            f"peak RSS {statistics.median(r for _, r, _ in rs):.1f} MB, {len(rs)} runs"
        )
    print(f"B / A = {medians[o.b] / medians[o.a]:.3f}")


if __name__ == "__main__":
    main()
