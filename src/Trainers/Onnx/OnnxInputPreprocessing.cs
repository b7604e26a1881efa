using MlNetExtensions.Trainers.Training;

namespace MlNetExtensions.Trainers.Onnx;

/// <summary>
/// The ONNX nodes of <see cref="InputPreprocessing"/>, in the order and with the operations its scalar code uses, so that
/// the exported graph computes the same network inputs: NaN → the slot's training median (IsNaN, Where); the
/// missing-value indicators (Gather of the NaN mask, Cast to float); ln(1 + max(x, 0)/m) on the log slots (Max, Div,
/// Add, Log, Where with the log-slot mask); (x − shift)·scale (Sub, Mul); the smooth clip
/// c/√(1 + c²/9) of the continuous slots with c = x clamped to ±1e18 (Clip, Mul, Mul, Add, Sqrt, Div, then Where with
/// the continuous-slot mask); minus the zero anchor (Sub); then the indicators after the slots (Concat). A step that
/// changes nothing for every slot is left out.
/// </summary>
internal static class OnnxInputPreprocessing
{
    /// <summary>Adds the nodes reading <paramref name="input"/> ([N, InputCount]) and returns the network input ([N, OutputCount]).</summary>
    public static string Add(OnnxGraph graph, InputPreprocessing preprocessing, string input)
    {
        int d = preprocessing.InputCount;
        string missing = graph.Node("IsNaN", "missing", new[] { input });
        string fill = graph.Constant("median", preprocessing.Fill, d);
        string x = graph.Node("Where", "imputed", new[] { missing, fill, input });

        string? indicators = null;
        if (preprocessing.Indicators.Length > 0)
        {
            var slots = preprocessing.Indicators.Select(s => (long)s).ToArray();
            string indices = graph.Constant("indicator_slots", slots, slots.Length);
            string gathered = graph.Node("Gather", "indicator_mask", new[] { missing, indices }, OnnxAttribute.Of("axis", 1L));
            indicators = graph.Node("Cast", "indicators", new[] { gathered }, OnnxAttribute.Of("to", (long)OnnxElementType.Float));
        }

        if (preprocessing.HasLogSlots)
        {
            // ln(1 + max(x, 0)/m) on the LogContinuous slots (m = 1 elsewhere, where Where keeps x).
            var isLog = preprocessing.LogScale.Select(m => m > 0f).ToArray();
            var divisor = preprocessing.LogScale.Select(m => m > 0f ? m : 1f).ToArray();
            string positive = graph.Node("Max", "log_nonnegative", new[] { x, graph.Constant("log_zero", new[] { 0f }) });
            string ratio = graph.Node("Div", "log_ratio", new[] { positive, graph.Constant("log_scale", divisor, d) });
            string onePlus = graph.Node("Add", "log_one_plus", new[] { ratio, graph.Constant("log_one", new[] { 1f }) });
            string logged = graph.Node("Log", "logged", new[] { onePlus });
            x = graph.Node("Where", "log_slots", new[] { graph.Constant("log_slot_mask", isLog, d), logged, x });
        }

        if (preprocessing.Shift.AsSpan().ContainsAnyExcept(0f))
            x = graph.Node("Sub", "shifted", new[] { x, graph.Constant("shift", preprocessing.Shift, d) });
        if (preprocessing.Scale.AsSpan().ContainsAnyExcept(1f))
            x = graph.Node("Mul", "scaled", new[] { x, graph.Constant("scale", preprocessing.Scale, d) });

        var continuous = preprocessing.Kinds.Select(k => k is InputSlotKind.Continuous or InputSlotKind.LogContinuous).ToArray();
        if (continuous.Contains(true))
        {
            string clipped = AddSmoothClip(graph, x);
            x = continuous.All(c => c)
                ? clipped
                : graph.Node("Where", "clipped_slots", new[] { graph.Constant("continuous_slots", continuous, d), clipped, x });
        }

        if (preprocessing.Offset.AsSpan().ContainsAnyExcept(0f))
            x = graph.Node("Sub", "anchored", new[] { x, graph.Constant("zero_anchor", preprocessing.Offset, d) });

        if (indicators is not null)
            x = graph.Node("Concat", "network_input", new[] { x, indicators }, OnnxAttribute.Of("axis", 1L));
        return x;
    }

    /// <summary>x/√(1 + x·x·(1/9)) after clamping x to ±1e18, as <see cref="InputPreprocessing.SmoothClip"/> computes it.</summary>
    private static string AddSmoothClip(OnnxGraph graph, string x)
    {
        const float limit = 1e18f;
        const float inverseClipSquared = 1f / (InputPreprocessing.ClipThreshold * InputPreprocessing.ClipThreshold);
        string clamped = graph.Node("Clip", "clip_clamped", new[] { x, graph.Constant("clip_min", new[] { -limit }), graph.Constant("clip_max", new[] { limit }) });
        string square = graph.Node("Mul", "clip_square", new[] { clamped, clamped });
        string scaled = graph.Node("Mul", "clip_square_scaled", new[] { square, graph.Constant("clip_inverse_threshold_squared", new[] { inverseClipSquared }) });
        string sum = graph.Node("Add", "clip_one_plus", new[] { scaled, graph.Constant("clip_one", new[] { 1f }) });
        string root = graph.Node("Sqrt", "clip_root", new[] { sum });
        return graph.Node("Div", "clipped", new[] { clamped, root });
    }
}
