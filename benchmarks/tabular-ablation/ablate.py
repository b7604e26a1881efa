#!/usr/bin/env python3
"""Runs the tabular benchmark once per configuration (MLP option overrides) and prints one table: per set the Mlp mean
per configuration, then mean gap, sets below -5, worst set, and the largest Mlp/LightGbm Fit-time ratio.

Usage: ablate.py OUTDIR 'label:Name=Value,Name=Value[|knob=v;knob=v]' ['label2:...'] [-- extra tabular args]
(the knobs after '|' go to MLNETEXT_AUTO: src/Trainers/MlNet/AutomaticEpochs.cs)
A configuration of just 'label:' runs the defaults. Baselines come from the cache (benchmarks/tabular-baselines.json).
"""
import json, os, subprocess, sys

out = sys.argv[1]
args = sys.argv[2:]
extra = []
if "--" in args:
    i = args.index("--"); extra = args[i + 1:]; args = args[:i]
os.makedirs(out, exist_ok=True)
root = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
dll = os.path.join(root, "benchmarks/MlNetExtensions.Benchmarks/bin/Release/net10.0/MlNetExtensions.Benchmarks.dll")
results = []
for config in args:
    label, _, opts = config.partition(":")
    opts, _, auto = opts.partition("|")  # after '|': the MLNETEXT_AUTO diagnostic knobs, e.g. fraction=0.15;updates=2000
    env = dict(os.environ, MLNETEXT_AUTO=auto)
    path = os.path.join(out, label.replace(" ", "_") + ".json")
    cmd = ["dotnet", dll, "tabular", "--no-baselines", "--label", label, "--json", path] + extra
    for o in filter(None, opts.split(",")):
        cmd += ["--mlp", o]
    subprocess.run(cmd, cwd=root, check=True, stdout=subprocess.DEVNULL, env=env)
    results.append((label, json.load(open(path))))

names = [s["name"] for s in results[0][1]["sets"]]
print("| set | " + " | ".join(l for l, _ in results) + " | best GBDT |")
print("|---|" + "---:|" * (len(results) + 1))
for n in names:
    row, best = [], None
    for _, r in results:
        s = next(x for x in r["sets"] if x["name"] == n)
        best = max((b["score"] for b in s["baselines"] if b["trainer"] in ("LightGbm", "FastTree") and b["score"] is not None), default=float("nan"))
        lgbm = next((b["fit_s"] for b in s["baselines"] if b["trainer"] == "LightGbm"), None)
        ratio = f' ({s["mlp_fit_s_mean"] / lgbm:.1f}x)' if lgbm else ""
        row.append("throws" if s["mlp_throws"] else f'{s["mlp_mean"]:.2f}{ratio}')
    print(f"| {n} | " + " | ".join(row) + f" | {best:.2f} |")
def summary(r, extra_sets):
    sets = [s for s in r["sets"] if s["extra"] == extra_sets and not s["mlp_throws"]]
    gaps = [s["gap"] for s in sets if s.get("gap") is not None]
    ratios = [s["mlp_fit_s_mean"] / b["fit_s"] for s in sets for b in s["baselines"] if b["trainer"] == "LightGbm" and b["fit_s"]]
    if not gaps: return "-"
    worst = min((s for s in sets if s.get("gap") is not None), key=lambda s: s["gap"])
    return f'{sum(gaps)/len(gaps):+.2f} / {sum(g < -5 for g in gaps)} / {worst["name"]} {worst["gap"]:+.1f} / {max(ratios, default=0):.1f}x'
print("| mean gap / below -5 / worst / max time ratio | " + " | ".join(summary(r, False) for _, r in results) + " | |")
if any(s["extra"] for s in results[0][1]["sets"]):
    print("| extra: mean gap / below -5 / worst / max ratio | " + " | ".join(summary(r, True) for _, r in results) + " | |")
