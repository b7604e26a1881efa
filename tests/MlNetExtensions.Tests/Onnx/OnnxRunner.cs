using Microsoft.ML.OnnxRuntime;
using Microsoft.ML.OnnxRuntime.Tensors;

namespace MlNetExtensions.Tests.Onnx;

/// <summary>Runs an ONNX model with ONNX Runtime on a float [rows × columns] input and compares outputs with ML.NET's.</summary>
internal static class OnnxRunner
{
    /// <summary>Every output of the model, by name, as the tensor's values (float, bool, uint32 or int64) and its shape.</summary>
    public static Dictionary<string, (Array Values, long[] Shape)> Run(byte[] model, string inputName, float[] input, int rows, int columns)
    {
        using var options = new SessionOptions { LogSeverityLevel = OrtLoggingLevel.ORT_LOGGING_LEVEL_ERROR };
        using var session = new InferenceSession(model, options);
        using var tensor = OrtValue.CreateTensorValueFromMemory(input, new long[] { rows, columns });
        var names = session.OutputNames.ToArray();
        using var runOptions = new RunOptions();
        using var outputs = session.Run(runOptions, new[] { inputName }, new[] { tensor }, names);
        var result = new Dictionary<string, (Array, long[])>();
        for (int i = 0; i < names.Length; i++)
        {
            var info = outputs[i].GetTensorTypeAndShape();
            Array values = info.ElementDataType switch
            {
                TensorElementType.Float => outputs[i].GetTensorDataAsSpan<float>().ToArray(),
                TensorElementType.Bool => outputs[i].GetTensorDataAsSpan<bool>().ToArray(),
                TensorElementType.UInt32 => outputs[i].GetTensorDataAsSpan<uint>().ToArray(),
                TensorElementType.Int64 => outputs[i].GetTensorDataAsSpan<long>().ToArray(),
                var t => throw new NotSupportedException($"Output {names[i]} is {t}."),
            };
            result[names[i]] = (values, info.Shape);
        }
        return result;
    }

    /// <summary>|actual − expected| ≤ 1e-5·|expected| + 1e-6 for every value (both finite).</summary>
    public static void AssertClose(IReadOnlyList<float> expected, IReadOnlyList<float> actual, string what)
    {
        Assert.Equal(expected.Count, actual.Count);
        for (int i = 0; i < expected.Count; i++)
        {
            float e = expected[i], a = actual[i];
            Assert.True(float.IsFinite(e), $"{what}[{i}]: ML.NET gave {e}");
            double tolerance = 1e-5 * Math.Abs(e) + 1e-6;
            Assert.True(Math.Abs((double)a - e) <= tolerance, $"{what}[{i}]: ONNX {a:R}, ML.NET {e:R} (tolerance {tolerance:G3})");
        }
    }
}
