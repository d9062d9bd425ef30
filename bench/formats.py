#!/usr/bin/env python3
"""Benchmark: the same events read from CSV, Parquet and JSON lines, and mapped by event
name or by property matchers, with `journeymap kpis`.

    cargo build --release
    cargo run --release --example gen_data -- events 1000000 42 /tmp/ev1m.csv
    pip install duckdb                       # writes the Parquet and JSON-lines copies
    python3 bench/formats.py target/release/journeymap /tmp/ev1m.csv --runs 9

Writes, under --work (default /tmp/bench-formats), one project per variant over the same
rows, the benchmark journey of compare_duckdb.py in each:

- csv:     the export itself (hard-linked);
- parquet: DuckDB's Parquet of it (snappy, 122,880-row groups), `timestamp` a real
           TIMESTAMP WITH TIME ZONE column, `revenue` DECIMAL(12,2);
- jsonl:   Mixpanel's shape, {"event": …, "properties": {"distinct_id": …, "time": unix
           seconds, "segment": …, "revenue": …}}, one object per line;
- names:   a CSV with two more columns, `page_event` ("page_view" for every name a
           touchpoint lists, the others unchanged) and
           `page_location` (https://shop.example/<event>/<n>), each touchpoint mapped by
           its event name as in csv;
- where:   the same file, every touchpoint mapped as a real GA4 export must be:
           events = ["page_view"] plus where = { page_location = "*/<event>/*" }. This
           is the worst case: all 15 touchpoints share one name, so a row is tested
           against up to 15 globs;
- names-u, where-u: the same with a unique `page_location` on every row (a click id
           appended, `?gclid=<row>`), so that no decision is ever taken twice.

Runs the variants alternately (csv parquet jsonl names where, csv …) and prints each one's
median wall time, CPU and peak RSS, and its ratio to csv (names for where). Fails unless
all five print byte-identical kpis.json.
"""

import argparse
import os
import statistics
import subprocess
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from compare_duckdb import STAGES, journey_toml  # noqa: E402

VARIANTS = ["csv", "parquet", "jsonl", "names", "where", "names-u", "where-u"]
# Each variant's time and memory are compared with this one's (the same file).
REFERENCE = {"where": "names", "names-u": "names-u", "where-u": "names-u"}


def write_projects(export, work):
    import duckdb

    con = duckdb.connect()
    con.execute("SET TimeZone = 'UTC'")
    con.execute("SET enable_progress_bar = false")
    con.execute(
        f"""CREATE TABLE ev AS SELECT * FROM read_csv('{export}', header = true,
        columns = {{'distinct_id': 'VARCHAR', 'timestamp': 'TIMESTAMPTZ', 'event': 'VARCHAR',
                    'segment': 'VARCHAR', 'revenue': 'DECIMAL(12,2)'}})"""
    )
    for v in VARIANTS:
        os.makedirs(os.path.join(work, v, "data"), exist_ok=True)
        os.makedirs(os.path.join(work, v, "journeys"), exist_ok=True)
        with open(os.path.join(work, v, "journeymap.toml"), "w") as f:
            f.write('title = "formats benchmark"\n')

    def data(v, name):
        return os.path.join(work, v, "data", name)

    if not os.path.exists(data("csv", "events.csv")):
        os.link(export, data("csv", "events.csv"))
    if not os.path.exists(data("parquet", "events.parquet")):
        con.execute(f"COPY ev TO '{data('parquet', 'events.parquet')}' (FORMAT parquet)")
    if not os.path.exists(data("jsonl", "events.jsonl")):
        con.execute(
            f"""COPY (SELECT event, {{'distinct_id': distinct_id, 'time': epoch("timestamp")::BIGINT,
                'segment': segment, 'revenue': revenue}} AS properties FROM ev)
            TO '{data('jsonl', 'events.jsonl')}' (FORMAT json)"""
        )
    # Kept in file order, with RFC 3339 times as in the export; the names no touchpoint
    # lists keep their name, as GA4's `scroll` would.
    mapped = ", ".join(f"'{e}'" for es in STAGES.values() for e in es)
    for v, tail in [("names", "''"), ("names-u", "'?gclid=' || row_number() OVER ()::VARCHAR")]:
        if not os.path.exists(data(v, "events.csv")):
            con.execute(
                f"""COPY (SELECT distinct_id, strftime("timestamp", '%Y-%m-%dT%H:%M:%SZ') AS "timestamp",
                    event, segment, revenue,
                    CASE WHEN event IN ({mapped}) THEN 'page_view' ELSE event END AS page_event,
                    'https://shop.example/' || event || '/' || (hash(distinct_id) % 1000)::VARCHAR || {tail}
                    AS page_location
                    FROM ev) TO '{data(v, 'events.csv')}' (FORMAT csv, HEADER)"""
            )
        w = v.replace("names", "where")
        if not os.path.exists(data(w, "events.csv")):
            os.link(data(v, "events.csv"), data(w, "events.csv"))

    base = journey_toml("data/events.csv")
    tomls = {
        "csv": base,
        "parquet": base.replace("data/events.csv", "data/events.parquet"),
        "jsonl": base.replace("data/events.csv", "data/events.jsonl").replace(
            'user = "distinct_id"',
            'user = "properties.distinct_id"\ntime = "properties.time"\ntime_format = "unix_s"\n'
            'segment = "properties.segment"\nrevenue = "properties.revenue"',
        ),
        "names": base,
        "names-u": base,
    }
    where = base.replace(
        'user = "distinct_id"',
        'user = "distinct_id"\nevent = "page_event"\nproperties = ["page_location"]',
    )
    for stage_events in STAGES.values():
        for e in stage_events:
            where = where.replace(
                f'events = ["{e}"]', f'events = ["page_view"]\n  where = {{ page_location = "*/{e}/*" }}'
            )
    tomls["where"] = tomls["where-u"] = where
    for v, text in tomls.items():
        with open(os.path.join(work, v, "journeys", "j.toml"), "w") as f:
            f.write(text)


def run(binary, project):
    start = time.perf_counter()
    proc = subprocess.Popen([binary, "kpis", project], stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    out = proc.stdout.read()
    err = proc.stderr.read()
    _, status, usage = os.wait4(proc.pid, 0)
    wall = time.perf_counter() - start
    if os.waitstatus_to_exitcode(status) != 0:
        sys.exit(f"journeymap kpis {project} failed:\n{err.decode()}")
    return wall, usage.ru_utime + usage.ru_stime, usage.ru_maxrss / 1024, out


def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("journeymap")
    p.add_argument("export", help="the generator's CSV export")
    p.add_argument("--runs", type=int, default=9)
    p.add_argument("--work", default="/tmp/bench-formats")
    p.add_argument("--write-only", action="store_true", help=argparse.SUPPRESS)
    o = p.parse_args()
    if o.write_only:
        write_projects(os.path.abspath(o.export), o.work)
        return
    # In a child process: a child inherits its parent's peak RSS (DuckDB's table here).
    subprocess.run([sys.executable, __file__, "--write-only", "--work", o.work, "-", o.export], check=True)
    projects = {v: os.path.join(o.work, v) for v in VARIANTS}
    for v in VARIANTS:  # warm the page cache
        run(o.journeymap, projects[v])
    results = {v: [] for v in VARIANTS}
    outputs = {}
    for _ in range(o.runs):
        for v in VARIANTS:
            wall, cpu, rss, out = run(o.journeymap, projects[v])
            results[v].append((wall, cpu, rss))
            outputs.setdefault(v, out)
    for v in ["parquet", "jsonl", "names", "where"]:
        if outputs[v] != outputs["csv"]:
            sys.exit(f"{v} gives a different kpis.json than csv")
    data_file = {"parquet": "events.parquet", "jsonl": "events.jsonl"}
    size = {v: os.path.getsize(os.path.join(o.work, v, "data", data_file.get(v, "events.csv"))) for v in VARIANTS}
    med = {v: statistics.median(w for w, _, _ in rs) for v, rs in results.items()}
    print(f"{o.runs} alternated runs each; kpis.json identical across csv, parquet, jsonl, names and where")
    print("| variant | file | median wall | min–max | CPU | peak RSS | RSS / CSV size | wall ratio |")
    print("|---|---|---|---|---|---|---|---|")
    for v in VARIANTS:
        rs = results[v]
        walls = [w for w, _, _ in rs]
        rss = statistics.median(r for _, _, r in rs)
        ref = REFERENCE.get(v, "csv")
        print(
            f"| {v} | {size[v] / 1e6:.0f} MB | {med[v]:.3f} s | {min(walls):.3f}–{max(walls):.3f} s "
            f"| {statistics.median(c for _, c, _ in rs):.3f} s | {rss:.1f} MB "
            f"| {rss * 1048576 / size[ref]:.2f} "
            f"| {med[v] / med[ref]:.2f} × {ref} |"
        )


if __name__ == "__main__":
    main()
