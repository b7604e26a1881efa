#!/usr/bin/python3
"""Writes the derived sets of benchmarks/README.md "Session 10" in the tabular format (<name>.schema.json,
<name>_train.csv, <name>_test.csv), for `tabular --data-dir OUT/sub` and `--data-dir OUT/cv`:

  OUT/sub: subsamples of training files, each scored on its source's full test file:
           ames400 (400 rows of the hold-out group's ames), concrete300 (300 of the public concrete),
           slid300, slid600 (of the hold-out group's slid), and cpus and ozone copied whole;
           rows = numpy default_rng(0).choice(n_train, k, replace=False), kept in file order.
  OUT/cv:  iris and wine of ../shared/datasets (train and test joined) cut into five stratified folds
           (numpy default_rng(0), classes shuffled then dealt round-robin): <set>_f0 .. <set>_f4, the fold as test.

Usage: derived_sets.py OUT [--public DIR] [--holdout DIR] [--shared DIR]
(defaults: ../shared/datasets/tabular, /work/holdout-tabular from export.R, ../shared/datasets). Needs numpy.
"""
import argparse, json, os, shutil
import numpy as np

here = os.path.dirname(os.path.abspath(__file__))
repo = os.path.dirname(os.path.dirname(here))
ap = argparse.ArgumentParser()
ap.add_argument("out")
ap.add_argument("--public", default=os.path.join(repo, "..", "shared", "datasets", "tabular"))
ap.add_argument("--holdout", default="/work/holdout-tabular")
ap.add_argument("--shared", default=os.path.join(repo, "..", "shared", "datasets"))
a = ap.parse_args()

sub = os.path.join(a.out, "sub")
os.makedirs(sub, exist_ok=True)
for source, name, rows, new in [(a.holdout, "ames", 400, "ames400"), (a.public, "concrete", 300, "concrete300"),
                                (a.holdout, "slid", 300, "slid300"), (a.holdout, "slid", 600, "slid600"),
                                (a.holdout, "cpus", None, "cpus"), (a.holdout, "ozone", None, "ozone")]:
    with open(os.path.join(source, f"{name}_train.csv")) as f:
        lines = f.read().splitlines()
    header, body = lines[0], lines[1:]
    if rows:
        keep = np.sort(np.random.default_rng(0).choice(len(body), rows, replace=False))
        body = [body[i] for i in keep]
    with open(os.path.join(sub, f"{new}_train.csv"), "w") as f:
        f.write("\n".join([header] + body) + "\n")
    shutil.copy(os.path.join(source, f"{name}_test.csv"), os.path.join(sub, f"{new}_test.csv"))
    with open(os.path.join(source, f"{name}.schema.json")) as f:
        schema = json.load(f)
    schema["name"], schema["rows_train"] = new, len(body)
    with open(os.path.join(sub, f"{new}.schema.json"), "w") as f:
        json.dump(schema, f)

cv = os.path.join(a.out, "cv")
os.makedirs(cv, exist_ok=True)
for name in ("iris", "wine"):
    rows = []
    for part in ("train", "test"):
        with open(os.path.join(a.shared, f"{name}_{part}.csv")) as f:
            rows += [line.strip().split(",") for line in f if line.strip()]
    labels = np.array([r[0] for r in rows])
    rng = np.random.default_rng(0)
    fold = np.zeros(len(rows), int)
    for c in sorted(set(labels)):
        members = np.where(labels == c)[0]
        rng.shuffle(members)
        fold[members] = np.arange(len(members)) % 5
    columns = [f"x{i}" for i in range(len(rows[0]) - 1)]
    classes = sorted("c" + c for c in set(labels))
    for k in range(5):
        set_name = f"{name}_f{k}"
        for part, chosen in (("train", fold != k), ("test", fold == k)):
            with open(os.path.join(cv, f"{set_name}_{part}.csv"), "w") as f:
                f.write(",".join(["Label"] + columns) + "\n")
                for r, take in zip(rows, chosen):
                    if take:
                        f.write(",".join(["c" + r[0]] + r[1:]) + "\n")
        schema = {"name": set_name, "task": "multiclass", "label": "class", "positive": None, "classes": classes,
                  "columns": columns, "numeric": columns, "categorical": [], "raw_names": {c: c for c in columns},
                  "missing": {}, "dropped": [], "rows_train": int((fold != k).sum()), "rows_test": int((fold == k).sum()),
                  "label_counts_train": None, "source": f"../shared/datasets/{name}_*.csv", "licence": "see ../shared/datasets",
                  "split": "5-fold, stratified, numpy default_rng(0)"}
        with open(os.path.join(cv, f"{set_name}.schema.json"), "w") as f:
            json.dump(schema, f)
print(f"wrote {sub} and {cv}")
