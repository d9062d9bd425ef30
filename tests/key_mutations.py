#!/usr/bin/env python3
"""Checks that every cache-key component has a rebuild test that fails without it.

    python3 tests/key_mutations.py [NAME-PART ...]

For each entry of MUTATIONS it rewrites the source so that the cache key ignores one
component (or targets are not evaluated again on a cache hit), runs the named test of
tests/rebuild.rs, prints whether it fails (as it must), and restores the source. Run it
after adding a setting to a reader's input or to `KpiSpec`, with a test and an entry here.
It edits src/ while it runs: not part of CI.

Not listed, because no test can tell them apart from what else keys an entry: the
FileStamp's size, modification time, inode and device (any rewrite also changes the change
time, which is listed; they serve file systems without one), EventsInput.file and
CohortsInput.file (a new path is a new stamp unless it is a hard link, and these readers
keep no message naming the file), MetricsInput.journey (the cache is per journey id),
KpiSpec.feedback (the scale and zone it holds are also in FeedbackInput: a change to them
reads the survey again, so its new data version recomputes the KPIs anyway), and
FeedbackInput.columns/has_comment/has_user (each change of one changes another).
"""
import pathlib
import re
import subprocess
import sys

ROOT = pathlib.Path(__file__).resolve().parent.parent

EV_FIELDS = ["file", "user", "time", "event", "segment", "revenue", "time_format", "on_error", "touchpoints"]
KS_FIELDS = ["stages", "conversion_stage", "window", "retention", "feedback"]
FB_FIELDS = ["file", "columns", "has_comment", "has_user", "scale", "time_format", "timezone", "on_error", "stages", "touchpoints"]
ST_FIELDS = ["len", "modified", "changed", "inode", "device"]

def manual_eq(struct, fields, skip):
    body = " && ".join(f"self.{f} == o.{f}" for f in fields if f != skip) or "true"
    return f"impl PartialEq for {struct} {{ fn eq(&self, o: &Self) -> bool {{ {body} }} }}\n"

def patch_struct(path, struct, fields, skip):
    p = ROOT / path
    s = p.read_text()
    s2 = re.sub(r"#\[derive\(([^)]*)\bPartialEq, ([^)]*)\)\]\n(pub )?struct " + struct + r"\b",
                lambda m: f"#[derive({m.group(1)}{m.group(2)})]\n{m.group(3) or ''}struct {struct}", s, count=1)
    assert s2 != s, (path, struct)
    s2 += "\n" + manual_eq(struct, fields, skip)
    p.write_text(s2)
    return s

def patch_text(path, old, new):
    p = ROOT / path
    s = p.read_text()
    assert old in s, (path, old)
    p.write_text(s.replace(old, new, 1))
    return s

MUTATIONS = [
    ("window left out of KpiSpec", lambda: patch_struct("src/kpi/spec.rs", "KpiSpec", KS_FIELDS, "window"), "the_conversion_window"),
    ("retention left out of KpiSpec", lambda: patch_struct("src/kpi/spec.rs", "KpiSpec", KS_FIELDS, "retention"), "the_retention_settings"),
    ("stages left out of KpiSpec", lambda: patch_struct("src/kpi/spec.rs", "KpiSpec", KS_FIELDS, "stages"), "a_metric_aggregate"),
    ("stages left out of KpiSpec (stage added)", lambda: patch_struct("src/kpi/spec.rs", "KpiSpec", KS_FIELDS, "stages"), "a_stage_added"),
    ("touchpoints left out of EventsInput", lambda: patch_struct("src/data/events/mod.rs", "EventsInput", EV_FIELDS, "touchpoints"), "an_event_moved_between_touchpoints"),
    ("touchpoints left out of EventsInput (stage added)", lambda: patch_struct("src/data/events/mod.rs", "EventsInput", EV_FIELDS, "touchpoints"), "a_stage_added"),
    ("time_format left out of EventsInput", lambda: patch_struct("src/data/events/mod.rs", "EventsInput", EV_FIELDS, "time_format"), "the_time_format_of_unchanged_data"),
    ("segment left out of EventsInput", lambda: patch_struct("src/data/events/mod.rs", "EventsInput", EV_FIELDS, "segment"), "the_segment_column"),
    ("user left out of EventsInput", lambda: patch_struct("src/data/events/mod.rs", "EventsInput", EV_FIELDS, "user"), "the_user_event_and_revenue_columns"),
    ("event left out of EventsInput", lambda: patch_struct("src/data/events/mod.rs", "EventsInput", EV_FIELDS, "event"), "the_user_event_and_revenue_columns"),
    ("revenue left out of EventsInput", lambda: patch_struct("src/data/events/mod.rs", "EventsInput", EV_FIELDS, "revenue"), "the_user_event_and_revenue_columns"),
    ("on_error left out of EventsInput", lambda: patch_struct("src/data/events/mod.rs", "EventsInput", EV_FIELDS, "on_error"), "on_error"),
    ("file left out of MetricsInput", lambda: patch_struct("src/data/metrics.rs", "MetricsInput", ["file", "journey", "stages", "touchpoints"], "file"), "a_metrics_file_named_by_another_path_to_the_same_bytes"),
    ("stages left out of MetricsInput", lambda: patch_struct("src/data/metrics.rs", "MetricsInput", ["file", "journey", "stages", "touchpoints"], "stages"), "a_stage_renamed_reads_the_metrics_file_again"),
    ("change time left out of FileStamp", lambda: patch_struct("src/data/cache.rs", "FileStamp", ST_FIELDS, "changed"), "a_data_file_rewritten_with_the_same_size_and_modification_time"),
    ("targets not evaluated on a hit", lambda: patch_text("src/kpi/mod.rs", "        k.targets = targets(&j.targets, &k);\n", "        if cache.computed.last() == Some(&j.id) { k.targets = targets(&j.targets, &k); cache.entries.get_mut(&j.id).unwrap().1.targets = k.targets.clone(); }\n"), "a_target_is_evaluated_again_without_computing"),
    ("stages left out of KpiSpec (touchpoint moved)", lambda: patch_struct("src/kpi/spec.rs", "KpiSpec", KS_FIELDS, "stages"), "a_touchpoint_moved_to_the_next_stage"),
    ("places compared by location", lambda: patch_text("src/data/cache.rs", "    fn eq(&self, _: &Place) -> bool {\n        true", "    fn eq(&self, o: &Place) -> bool {\n        self.0 == o.0"), "a_title_edit_reads_and_computes_nothing"),
    ("touchpoints left out of MetricsInput", lambda: patch_struct("src/data/metrics.rs", "MetricsInput", ["file", "journey", "stages", "touchpoints"], "touchpoints"), "a_metric_declared_reads_the_metrics_file_again"),
    ("conversion_stage left out of KpiSpec", lambda: patch_struct("src/kpi/spec.rs", "KpiSpec", KS_FIELDS, "conversion_stage"), "the_conversion_stage"),
    ("stages left out of KpiSpec (feedback keywords)", lambda: patch_struct("src/kpi/spec.rs", "KpiSpec", KS_FIELDS, "stages"), "pain_point_keywords"),
    ("scale left out of FeedbackInput", lambda: patch_struct("src/data/feedback.rs", "FeedbackInput", FB_FIELDS, "scale"), "the_survey_scale"),
    ("timezone left out of FeedbackInput", lambda: patch_struct("src/data/feedback.rs", "FeedbackInput", FB_FIELDS, "timezone"), "the_survey_time_zone"),
    ("data version left out of KpiKey", lambda: patch_struct("src/kpi/mod.rs", "KpiKey", ["spec", "data"], "data"), "a_metric_file_edited_reads_only_that_file"),
]

TOUCHED = ["src/kpi/spec.rs", "src/data/events/mod.rs", "src/data/cache.rs", "src/kpi/mod.rs", "src/data/metrics.rs", "src/data/feedback.rs"]

only = sys.argv[1:]
failures = 0
for name, mutate, test in MUTATIONS:
    if only and not any(o in name for o in only):
        continue
    path_before = {p: (ROOT / p).read_text() for p in TOUCHED}
    try:
        mutate()
        r = subprocess.run(["cargo", "test", "-q", "--test", "rebuild", "--", "--exact", test], cwd=ROOT, capture_output=True, text=True)
        out = r.stdout + r.stderr
        if "error[" in out:
            verdict = "DOES NOT COMPILE"
        elif r.returncode != 0 and "FAILED" in out:
            verdict = "fails (good)"
        else:
            verdict = "STILL PASSES"
        failures += verdict != "fails (good)"
        print(f"{name:50} {test:62} {verdict}", flush=True)
    finally:
        for p, s in path_before.items():
            (ROOT / p).write_text(s)
sys.exit(1 if failures else 0)
