#!/usr/bin/env bash
# Packs the three libraries into a local folder feed, then builds and runs a fresh console project that references
# them by package name (local feed + nuget.org) and runs a short pipeline: train, save, load, predict. Fails on any
# missing package part (README, licence, XML docs, symbols) or if the program's output is not as expected.
#   packaging/pack-and-smoke.sh [output-folder]     (default: artifacts/packages; the feed is kept there)
set -euo pipefail
# Resolve the output folder against the caller's directory before moving to the repository root.
out_arg="${1:-}"
if [ -n "$out_arg" ]; then mkdir -p "$out_arg"; out_arg=$(cd "$out_arg" && pwd); fi
cd "$(dirname "$0")/.."
root=$(pwd)
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1 DOTNET_SKIP_FIRST_TIME_EXPERIENCE=1

feed=${out_arg:-$(mkdir -p artifacts/packages && cd artifacts/packages && pwd)}
# A version unique to this run, so that NuGet's global cache never hands back packages from an earlier run.
version="0.0.0-smoke.$(date -u +%Y%m%d%H%M%S).$$"
work=$(mktemp -d)
cleanup() {
  rm -rf "$work"
  # Drop this run's copies of our packages from the global cache (dependencies such as Microsoft.ML stay cached).
  local cache
  cache=$(dotnet nuget locals global-packages --list 2>/dev/null | sed -n 's/^global-packages: //p')
  if [ -n "$cache" ]; then
    for id in mlnetextensions.core mlnetextensions.trainers mlnetextensions.transforms; do rm -rf "${cache:?}/$id/$version"; done
  fi
}
trap cleanup EXIT

libraries=(src/Core/MlNetExtensions.Core.csproj src/Trainers/MlNetExtensions.Trainers.csproj src/Transforms/MlNetExtensions.Transforms.csproj)
echo "pack: version $version into $feed"
for project in "${libraries[@]}"; do
  dotnet pack "$project" -c Release -o "$feed" -p:PackageVersion="$version" -nologo -v quiet
done

# Every package: the assembly, its XML docs, README and licence expression; every symbols package: the PDB.
for id in MlNetExtensions.Core MlNetExtensions.Trainers MlNetExtensions.Transforms; do
  nupkg="$feed/$id.$version.nupkg"; snupkg="$feed/$id.$version.snupkg"
  [ -f "$nupkg" ] || { echo "missing $nupkg" >&2; exit 1; }
  [ -f "$snupkg" ] || { echo "missing $snupkg" >&2; exit 1; }
  listing=$(unzip -Z1 "$nupkg")
  for part in "lib/net10.0/$id.dll" "lib/net10.0/$id.xml" "README.md" "LICENSE"; do
    grep -qx "$part" <<<"$listing" || { echo "$nupkg lacks $part" >&2; exit 1; }
  done
  # (captured first: grep -q closing the pipe early would fail the pipeline under pipefail)
  nuspec=$(unzip -p "$nupkg" "$id.nuspec"); symbols=$(unzip -Z1 "$snupkg")
  grep -q '<license type="expression">MIT</license>' <<<"$nuspec" || { echo "$nupkg: no MIT licence expression" >&2; exit 1; }
  grep -q '<readme>README.md</readme>' <<<"$nuspec" || { echo "$nupkg: no package README" >&2; exit 1; }
  grep -qx "lib/net10.0/$id.pdb" <<<"$symbols" || { echo "$snupkg lacks the PDB" >&2; exit 1; }
  echo "  ok $id ($(du -k "$nupkg" | cut -f1) KB, symbols $(du -k "$snupkg" | cut -f1) KB)"
done

# A fresh console project outside the repository (so no Directory.Build.props / central versions apply).
app="$work/smoke"
mkdir -p "$app"
cp data/iris_train.csv data/iris_test.csv "$app/"
cat > "$app/NuGet.config" <<XML
<?xml version="1.0" encoding="utf-8"?>
<configuration>
  <packageSources>
    <clear />
    <add key="local" value="$feed" />
    <add key="nuget.org" value="https://api.nuget.org/v3/index.json" />
  </packageSources>
  <packageSourceMapping>
    <packageSource key="local"><package pattern="MlNetExtensions.*" /></packageSource>
    <packageSource key="nuget.org"><package pattern="*" /></packageSource>
  </packageSourceMapping>
</configuration>
XML
cat > "$app/Smoke.csproj" <<XML
<Project Sdk="Microsoft.NET.Sdk">
  <PropertyGroup>
    <OutputType>Exe</OutputType>
    <TargetFramework>net10.0</TargetFramework>
    <Nullable>enable</Nullable>
    <ImplicitUsings>enable</ImplicitUsings>
    <!-- Microsoft.ML.ImageAnalytics asks for SkiaSharp 2.88.8, which nuget.org mirrors may not serve; 2.88.9 is used. -->
    <NoWarn>\$(NoWarn);NU1603</NoWarn>
  </PropertyGroup>
  <ItemGroup>
    <PackageReference Include="MlNetExtensions.Trainers" Version="$version" />
    <PackageReference Include="MlNetExtensions.Transforms" Version="$version" />
  </ItemGroup>
</Project>
XML
cat > "$app/Program.cs" <<'CS'
using Microsoft.ML; using Microsoft.ML.Data; using MlNetExtensions; using MlNetExtensions.Trainers;
var ml = new MLContext(seed: 1);
var train = ml.Data.LoadFromTextFile<Iris>("iris_train.csv", separatorChar: ',');
var pipeline = ml.Transforms.Conversion.MapValueToKey("Label").Append(ml.Transforms.InjectNoise("Features", standardDeviation: 0.02f, seed: 1))
    .Append(ml.MulticlassClassification.Trainers.Mlp(new MlpMulticlassTrainer.Options { HiddenLayerSizes = new[] { 16 }, LearningRate = 0.01f, NumberOfEpochs = 200, Seed = 1 }));
ml.Model.SaveAtomic(pipeline.Fit(train), train.Schema, "iris.zip");
var loader = new MLContext(); loader.ComponentCatalog.RegisterMlNetExtensions();
var model = loader.Model.Load("iris.zip", out _);
var accuracy = loader.MulticlassClassification.Evaluate(model.Transform(loader.Data.LoadFromTextFile<Iris>("iris_test.csv", separatorChar: ','))).MicroAccuracy;
var label = loader.Model.CreatePredictionEngine<Iris, IrisPrediction>(model).Predict(new Iris { Features = new[] { 0.2f, 0.6f, 0.07f, 0.04f } }).PredictedLabel;
Console.WriteLine($"SMOKE accuracy={accuracy:F4} predicted={label}");
class Iris { [LoadColumn(0)] public float Label { get; set; } [LoadColumn(1, 4), VectorType(4)] public float[] Features { get; set; } = []; }
class IrisPrediction { public uint PredictedLabel { get; set; } }
CS

echo "smoke: restore and run a fresh console project against the packages"
(cd "$app" && dotnet restore --configfile NuGet.config -nologo -v quiet && dotnet run -c Release --no-restore 2>&1) | tee "$work/smoke.log"
line=$(grep '^SMOKE ' "$work/smoke.log" || true)
accuracy=$(sed -n 's/.*accuracy=\([0-9.]*\).*/\1/p' <<<"$line")
predicted=$(sed -n 's/.*predicted=\([0-9]*\).*/\1/p' <<<"$line")
# Iris with an MLP: at least 0.9 test accuracy; the row (0.2, 0.6, 0.07, 0.04) is a setosa, the first key (1).
if [ -z "$line" ] || ! awk -v a="$accuracy" 'BEGIN { exit !(a >= 0.9) }' || [ "$predicted" != "1" ]; then
  echo "smoke: FAILED (expected accuracy >= 0.9 and predicted=1; got: ${line:-no SMOKE line})" >&2
  exit 1
fi
echo "smoke: passed ($line); packages in $feed"
