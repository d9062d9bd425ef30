#!/usr/bin/env python3
"""Benchmark: `journeymap kpis` against DuckDB computing the same KPIs on the same file.

    cargo build --release
    cargo run --release --example gen_data -- events 1000000 42 /tmp/ev1m.csv
    pip install duckdb
    python3 bench/compare_duckdb.py /tmp/ev1m.csv --runs 3

Both sides run as child processes, alternating, so that machine noise hits both alike; wall
time and peak RSS come from wait4(). DuckDB computes the docs/kpis.md funnel the way a SQL
analyst would (an ASOF join per step, over every start event, then the best start per user),
stage reach, revenue and weekly first-time retention. The script checks that both give the
same counts before printing the figures.
"""

import argparse
import json
import os
import statistics
import subprocess
import sys
import shutil
import tempfile
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))

STAGES = {
    "awareness": ["ad_click", "social_ad_click", "blog_view"],
    "consideration": ["product_view", "reviews_view", "store_visit", "add_to_cart"],
    "purchase": ["checkout_completed", "store_purchase"],
    "retention": ["order_email_open", "delivery_sms_click", "app_open"],
    "advocacy": ["review_posted", "referral_sent", "social_share"],
}
WINDOW_S = 30 * 86400
PERIODS = 8

JOURNEY = """title = "{title}"
conversion_window = "30d"

[data.events]
path = "{path}"
user = "distinct_id"

[retention]
cohort_stage = "purchase"
period = "week"
periods = {periods}
"""

DUCKDB_SCRIPT = r"""
import duckdb, json, sys
path, window_us, periods = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
stages = json.loads(sys.argv[4])
con = duckdb.connect()
con.execute("SET TimeZone = 'UTC'")
con.execute("SET enable_progress_bar = false")
mapping = ", ".join(f"('{e}', {i + 1})" for i, s in enumerate(stages) for e in stages[s])
con.execute(f"CREATE TEMP TABLE map AS SELECT * FROM (VALUES {mapping}) v(event, stage)")
con.execute(f'''CREATE TEMP TABLE raw AS SELECT distinct_id AS u, epoch_us(CAST("timestamp" AS TIMESTAMPTZ)) AS t,
    event, revenue FROM read_csv('{path}', header = true,
    columns = {{'distinct_id': 'VARCHAR', 'timestamp': 'VARCHAR', 'event': 'VARCHAR', 'segment': 'VARCHAR', 'revenue': 'DOUBLE'}})''')
con.execute("CREATE TEMP TABLE e AS SELECT u, t, stage FROM raw JOIN map USING (event)")
n = len(stages)
for k in range(1, n + 1):
    con.execute(f"CREATE TEMP TABLE s{k} AS SELECT u, t FROM e WHERE stage = {k}")
sql = "SELECT u, t AS c1 FROM s1"
for k in range(2, n + 1):
    sql = f"SELECT p.*, s{k}.t AS c{k} FROM ({sql}) p ASOF LEFT JOIN s{k} ON p.u = s{k}.u AND s{k}.t >= p.c{k - 1}"
depth = "CASE " + " ".join(
    f"WHEN c{k} IS NOT NULL AND c{k} - c1 <= {window_us} THEN {k}" for k in range(n, 1, -1)) + " ELSE 1 END"
funnel = con.execute(f'''SELECT k, count(*) FROM (SELECT u, max({depth}) AS d FROM ({sql}) GROUP BY u) x,
    range(1, {n + 1}) r(k) WHERE d >= k GROUP BY k ORDER BY k''').fetchall()
reach = con.execute("SELECT stage, count(DISTINCT u) FROM e GROUP BY stage ORDER BY stage").fetchall()
orders, buyers, repeat = con.execute('''SELECT sum(n), count(*), count(*) FILTER (WHERE n >= 2)
    FROM (SELECT u, count(*) AS n FROM raw WHERE revenue IS NOT NULL GROUP BY u)''').fetchone()
purchase = list(stages).index("purchase") + 1
retention = con.execute(f'''
    WITH c AS (SELECT u, date_trunc('week', make_timestamp(min(t))) AS w FROM e WHERE stage = {purchase} GROUP BY u),
    r AS (SELECT DISTINCT u, date_trunc('week', make_timestamp(t)) AS w FROM e WHERE stage = {purchase})
    SELECT strftime(c.w, '%Y-%m-%d'), (datediff('day', c.w, r.w) // 7) AS n, count(*)
    FROM c JOIN r USING (u) WHERE r.w > c.w AND datediff('day', c.w, r.w) // 7 <= {periods}
    GROUP BY ALL ORDER BY ALL''').fetchall()
print(json.dumps({"funnel": [c for _, c in funnel], "reach": [c for _, c in reach],
                  "orders": orders, "buyers": buyers, "repeat": repeat,
                  "retention": [[w, n, c] for w, n, c in retention]}))
"""


def place_export(project, path):
    """Puts the export at `path` into the project (journeymap reads only files inside its
    project): a hard link when the file system allows, else a copy. Returns the path to
    write in the journey. Also used by serve_latency.py."""
    os.makedirs(os.path.join(project, "data"), exist_ok=True)
    name = "events.csv.gz" if path.endswith(".gz") else "events.csv"
    target = os.path.join(project, "data", name)
    try:
        os.link(path, target)
    except OSError:
        shutil.copyfile(path, target)
    return f"data/{name}"


def journey_toml(path, title="Online purchase (benchmark)"):
    """The benchmark journey over the event export at `path` (inside the project): one
    touchpoint per event name. Also used by serve_latency.py."""
    journey = JOURNEY.format(title=title, path=path, periods=PERIODS)
    for stage, events in STAGES.items():
        journey += f'\n[[stages]]\nid = "{stage}"\n'
        for e in events:
            journey += f'  [[stages.touchpoints]]\n  id = "{e.replace("_", "-")}"\n  events = ["{e}"]\n'
    return journey


def run(cmd):
    """Runs a child process; returns (stdout, wall seconds, peak RSS in MB)."""
    start = time.perf_counter()
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    out = proc.stdout.read()
    err = proc.stderr.read()
    _, status, rusage = os.wait4(proc.pid, 0)
    wall = time.perf_counter() - start
    if status != 0:
        sys.exit(f"{cmd[0]} failed: {err.decode()}")
    return out, wall, rusage.ru_maxrss / 1024


def journeymap_counts(doc):
    j = doc["journeys"][0]
    retention = []
    for c in j["retention"]["cohorts"]:
        for n, r in enumerate(c["retained"]):
            if n >= 1 and r:
                retention.append([c["start"], n, r])
    rev = j["revenue"]
    repeat = round(rev["repeat_purchase_rate"] * rev["buyers"])
    return {"funnel": [s["users"] for s in j["funnel"]["steps"]],
            "reach": [s["reach"] for s in j["stages"]],
            "orders": rev["orders"], "buyers": rev["buyers"], "repeat": repeat,
            "retention": retention}


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("csv")
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--binary", default=os.path.join(ROOT, "target/release/journeymap"))
    args = ap.parse_args()
    path = os.path.abspath(args.csv)
    size_mb = os.path.getsize(path) / 1e6
    # Beside the export, so that it can be hard-linked into the project.
    with tempfile.TemporaryDirectory(dir=os.path.dirname(path)) as project:
        os.makedirs(os.path.join(project, "journeys"))
        inside = place_export(project, path)
        with open(os.path.join(project, "journeymap.toml"), "w") as f:
            f.write('title = "Benchmark"\n')
        with open(os.path.join(project, "journeys", "online-purchase.toml"), "w") as f:
            f.write(journey_toml(inside))
        jm_cmd = [args.binary, "kpis", project, "--format", "json"]
        db_cmd = [sys.executable, "-c", DUCKDB_SCRIPT, path, str(WINDOW_S * 1_000_000), str(PERIODS), json.dumps(STAGES)]
        jm, db = [], []
        for i in range(args.runs):
            out, wall, rss = run(jm_cmd)
            jm.append((wall, rss))
            jm_counts = journeymap_counts(json.loads(out))
            out, wall, rss = run(db_cmd)
            db.append((wall, rss))
            db_counts = json.loads(out)
            if jm_counts != db_counts:
                for key in jm_counts:
                    if jm_counts[key] != db_counts[key]:
                        print(f"MISMATCH {key}:\n  journeymap {jm_counts[key]}\n  duckdb     {db_counts[key]}")
                sys.exit(1)
            print(f"run {i + 1}: journeymap {jm[-1][0]:.3f} s {jm[-1][1]:.0f} MB | duckdb {db[-1][0]:.3f} s {db[-1][1]:.0f} MB")
    jm_wall = statistics.median(w for w, _ in jm)
    db_wall = statistics.median(w for w, _ in db)
    jm_rss = max(r for _, r in jm)
    print(f"\nfile: {size_mb:.0f} MB; counts identical (funnel, reach, orders, buyers, repeat buyers, retention cells)")
    print(f"journeymap: median {jm_wall:.3f} s, peak RSS {jm_rss:.0f} MB ({jm_rss / size_mb:.2f} x file)")
    print(f"duckdb:     median {db_wall:.3f} s, peak RSS {max(r for _, r in db):.0f} MB")
    print(f"ratio journeymap / duckdb wall time: {jm_wall / db_wall:.3f}")


if __name__ == "__main__":
    main()
