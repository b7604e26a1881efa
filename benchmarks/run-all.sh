#!/usr/bin/env bash
# Training side by side: MlNetExtensions' Mlp vs scikit-learn and PyTorch (the anchors of
# ../shared/bench, when their Python packages are installed) on the reference workload
# (MLP 784-128-64-10, ReLU, Adam 1e-3, batch 128, 30 epochs, mnist10k 8,000 / 2,000), RUNS times
# each, interleaved (ours, scikit-learn, PyTorch, ours, ...) so that all see the same machine load;
# then our other workloads (normalized, wide, tabular, rows scaling) and scoring once each; then
# the table of medians and ratios. Every run is a fresh process, so peak RSS is per run.
# Usage: benchmarks/run-all.sh [RUNS=3] [OUT_DIR]
# Anchors need: apt-get install -y python3-sklearn python3-torch libopenblas0-pthread
set -u
here=$(cd "$(dirname "$0")" && pwd)
repo=$(cd "$here/.." && pwd)
runs=${1:-3}
out=${2:-$(mktemp -d)}
mkdir -p "$out"
bench="${ANCHORS_DIR:-$repo/../shared/bench}"
py=/usr/bin/python3

echo "building the benchmarks into $out/bin ..."
dotnet build -c Release "$here/MlNetExtensions.Benchmarks" -o "$out/bin" -v q -nologo >"$out/build.log" 2>&1 || { cat "$out/build.log"; exit 1; }
ours=("$out/bin/MlNetExtensions.Benchmarks")

have() { [ -x "$py" ] && "$py" -c "import $1" 2>/dev/null; }
sk=0; th=0
if [ ! -d "$bench" ]; then echo "anchors skipped: $bench not found (set ANCHORS_DIR)"
else
  if have sklearn; then sk=1; else echo "scikit-learn anchor skipped: python3-sklearn is not installed"; fi
  if have torch; then th=1; else echo "PyTorch anchor skipped: python3-torch is not installed"; fi
fi
# OpenBLAS 0.3.21 (Debian 12) does not know every CPU: on an Intel Xeon of model 207 (Emerald Rapids) it falls back to
# its generic "Prescott" (SSE3) kernels, about 4x slower than the AVX-512 ones, which would flatter us by that much.
# When the core it picks is such a fallback on a machine with AVX2 or AVX-512, name the core OpenBLAS itself picks for
# the nearest CPU it knows (Cooperlake with AVX-512 BF16, SkylakeX with AVX-512, Haswell with AVX2; the anchors' BLAS
# then runs at its full speed) and say so. A user's setting of OPENBLAS_CORETYPE is kept.
openblas_core() { OPENBLAS_VERBOSE=2 "$py" -c "import numpy as np; a=np.ones((64,64),np.float32); a@a" 2>&1 | sed -n 's/^Core: //p' | head -1; }
if [ $((sk + th)) -gt 0 ] && [ -z "${OPENBLAS_CORETYPE:-}" ]; then
  core=$(openblas_core)
  flags=$(grep -m1 '^flags' /proc/cpuinfo 2>/dev/null)
  case "$core" in
    Prescott|Katmai|Coppermine|Northwood|Banias|Core2|Penryn|Dunnington|Nehalem|Atom|Barcelona|Opteron|Opteron_SSE3|"")
      pick=""
      if [[ $flags == *" avx512_bf16"* ]]; then pick=Cooperlake
      elif [[ $flags == *" avx512bw"* && $flags == *" avx512vl"* ]]; then pick=SkylakeX
      elif [[ $flags == *" avx2"* && $flags == *" fma"* ]]; then pick=Haswell; fi
      if [ -n "$pick" ]; then
        export OPENBLAS_CORETYPE=$pick
        echo "OpenBLAS picked its generic '${core:-?}' kernels on this CPU; the anchors run with OPENBLAS_CORETYPE=$pick (now: $(openblas_core))"
      fi ;;
    *) echo "OpenBLAS kernels for the anchors: $core" ;;
  esac
fi
# Peak RSS (KiB) of a child process, written next to its JSON.
rss() { local f=$1; shift; if [ -x /usr/bin/time ]; then /usr/bin/time -f %M -o "$f" "$@"; else "$@"; fi; }

for r in $(seq 1 "$runs"); do
  echo "run $r/$runs: ours"
  rss "$out/ours_ref_$r.rss" "${ours[@]}" train --only ref --json "$out/ours_ref_$r.json" | grep -v '^  ref'
  if [ $sk = 1 ]; then echo "run $r/$runs: scikit-learn"
    (cd "$bench" && rss "$out/sklearn_$r.rss" "$py" bench_sklearn.py --data mnist10k --hidden 128,64 --solver adam --epochs 30 --seed 0 --out "$out/sklearn_$r.json" >/dev/null); fi
  if [ $th = 1 ]; then echo "run $r/$runs: PyTorch"
    (cd "$bench" && rss "$out/torch_$r.rss" "$py" bench_torch.py --data mnist10k --epochs 30 --seed 0 --out "$out/torch_$r.json" >/dev/null); fi
done
# The .rss files of our runs hold the process peak (data loading included); the JSON's peak_rss_mb is Fit's own.
rm -f "$out"/ours_ref_*.rss

echo "ours: other workloads"
"${ours[@]}" train --only raw,wide,tab,scaling --json "$out/ours_other.json"
echo "ours: scoring"
"${ours[@]}" score --json "$out/score.json.txt"
"${ours[@]}" score --normalize --json "$out/score_norm.json.txt"
echo
echo "== side by side (results in $out) =="
"${ours[@]}" train --report "$out"
