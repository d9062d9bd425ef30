#!/usr/bin/env python3
"""Benchmark: save-to-reload latency of `journeymap serve` with a large event file attached.

    cargo build --release
    cargo run --release --example gen_data -- events 1000000 42 /tmp/ev1m.csv
    python3 bench/serve_latency.py /tmp/ev1m.csv --edits 10

A project whose journey reads the given event export is served; the script listens to the
live-reload stream like a browser does, then edits the journey's title (a TOML-only edit)
and measures the time from the file write to the reload event. Unchanged data is not re-read,
so the figure should not depend on the size of the export.
"""

import argparse
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request

from compare_duckdb import journey_toml, place_export

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("csv")
    ap.add_argument("--edits", type=int, default=10)
    ap.add_argument("--binary", default=os.path.join(ROOT, "target/release/journeymap"))
    args = ap.parse_args()
    path = os.path.abspath(args.csv)
    with tempfile.TemporaryDirectory(dir=os.path.dirname(path)) as project:
        os.makedirs(os.path.join(project, "journeys"))
        inside = place_export(project, path)
        with open(os.path.join(project, "journeymap.toml"), "w") as f:
            f.write('title = "Serve benchmark"\n')
        journey_file = os.path.join(project, "journeys", "purchase.toml")
        with open(journey_file, "w") as f:
            f.write(journey_toml(inside, "Edit 0"))
        port = free_port()
        env = dict(os.environ, JOURNEYMAP_TIMINGS="1")
        proc = subprocess.Popen([args.binary, "serve", project, "--port", str(port)],
                                stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, env=env, text=True)
        log = []
        threading.Thread(target=lambda: log.extend(proc.stderr), daemon=True).start()
        try:
            start = time.perf_counter()
            while True:
                try:
                    with urllib.request.urlopen(f"http://127.0.0.1:{port}/", timeout=1) as r:
                        if r.status == 200:
                            break
                except Exception:
                    pass
                if time.perf_counter() - start > 120:
                    sys.exit("the server did not start:\n" + "".join(log))
                time.sleep(0.05)
            print(f"initial build (reads the whole export): {time.perf_counter() - start:.2f} s")
            events = []
            got = threading.Event()

            def listen():
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/__journeymap/live") as r:
                    for raw in r:
                        line = raw.decode().strip()
                        if line.startswith("data:"):
                            events.append((time.perf_counter(), line[5:].strip()))
                            got.set()

            threading.Thread(target=listen, daemon=True).start()
            got.wait(10)
            latencies = []
            for i in range(1, args.edits + 1):
                time.sleep(0.4)
                got.clear()
                before = len(events)
                t0 = time.perf_counter()
                with open(journey_file, "w") as f:
                    f.write(journey_toml(inside, f"Edit {i}"))
                if not got.wait(10) or len(events) <= before:
                    sys.exit("no reload event:\n" + "".join(log[-20:]))
                latencies.append((events[-1][0] - t0) * 1000)
                print(f"edit {i}: reload event after {latencies[-1]:.0f} ms")
            reads = [l for l in log if "(read " in l]
            print(f"\nsave → reload event: median {statistics.median(latencies):.0f} ms, "
                  f"min {min(latencies):.0f} ms, max {max(latencies):.0f} ms over {len(latencies)} edits")
            print(f"rebuilds that re-read a data file: {len(reads) - 1} (the first is the initial build)")
            steps = [l.strip() for l in log[-12:] if l.startswith("timing:")]
            print("last rebuild:", "; ".join(steps))
        finally:
            proc.terminate()
            proc.wait()


if __name__ == "__main__":
    main()
