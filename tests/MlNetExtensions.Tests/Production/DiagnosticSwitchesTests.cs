using System.Reflection;
using MlNetExtensions.Trainers;

namespace MlNetExtensions.Tests.Production;

/// <summary>
/// The library reads no environment variable: its diagnostic switches are internal, with constant defaults, and only the
/// benchmark program sets them from the <c>MLNETEXT_*</c> variables.
/// </summary>
public class DiagnosticSwitchesTests
{
    [Fact]
    public void NoLibraryCodeReadsTheEnvironment()
    {
        var readers = typeof(Environment).GetMethods(BindingFlags.Public | BindingFlags.Static)
            .Where(m => m.Name is nameof(Environment.GetEnvironmentVariable) or nameof(Environment.GetEnvironmentVariables)
                or nameof(Environment.ExpandEnvironmentVariables))
            .ToHashSet();
        Assert.NotEmpty(readers);
        var found = new List<string>();
        foreach (var assembly in new[] { typeof(DiagnosticSwitches).Assembly, typeof(MlNetExtensionsRegistration).Assembly, typeof(Transforms.NoiseInjectionEstimator).Assembly })
        foreach (var method in AllMethods(assembly))
            if (Calls(method).Any(readers.Contains))
                found.Add($"{method.DeclaringType?.FullName}.{method.Name}");
        Assert.Empty(found);
    }

    [Fact]
    public void TheScanFindsAnEnvironmentRead()
    {
        // The scan above would pass vacuously if it found no calls at all: it finds this class's own read.
        var method = typeof(DiagnosticSwitchesTests).GetMethod(nameof(ReadsTheEnvironment), BindingFlags.NonPublic | BindingFlags.Static)!;
        Assert.Contains(Calls(method), m => m.Name == nameof(Environment.GetEnvironmentVariable));
    }

    private static string? ReadsTheEnvironment() => Environment.GetEnvironmentVariable("MLNETEXT_SPARSE");

    [Fact]
    public void SwitchesStartAtTheirConstantDefaults()
    {
        // Whatever this process's environment holds (MLNETEXT_PREFETCH=0 and friends change nothing here); the switches
        // other tests flip (in the GEMM-switches collection) are not read here.
        Assert.True(DiagnosticSwitches.Prefetch);
        Assert.True(DiagnosticSwitches.SparseTransposed);
        Assert.Equal(0.3, DiagnosticSwitches.DefaultSparseMaxDensity);
        Assert.Equal(0.45, DiagnosticSwitches.DefaultSparseMaxDensityPanels);
        Assert.Equal(0.5, DiagnosticSwitches.DefaultSparseMaxDensityPanelsAvx2);
    }

    private static IEnumerable<MethodBase> AllMethods(Assembly assembly)
    {
        const BindingFlags all = BindingFlags.Public | BindingFlags.NonPublic | BindingFlags.Instance | BindingFlags.Static | BindingFlags.DeclaredOnly;
        foreach (var type in assembly.GetTypes())
        {
            foreach (var m in type.GetMethods(all)) yield return m;
            foreach (var c in type.GetConstructors(all)) yield return c;
            if (type.TypeInitializer is { } cctor) yield return cctor;
        }
    }

    /// <summary>The methods <paramref name="method"/> calls or takes the address of (a byte scan of its IL: every
    /// call-like opcode followed by a token that resolves to a method).</summary>
    private static IEnumerable<MethodBase> Calls(MethodBase method)
    {
        byte[]? il;
        try { il = method.GetMethodBody()?.GetILAsByteArray(); }
        catch (Exception e) when (e is InvalidOperationException or NotSupportedException) { il = null; }
        if (il is null) yield break;
        for (int i = 0; i + 4 < il.Length; i++)
        {
            // call 0x28, callvirt 0x6F; ldftn is the two-byte 0xFE 0x06.
            bool oneByte = il[i] is 0x28 or 0x6F;
            bool ldftn = il[i] == 0xFE && il[i + 1] == 0x06 && i + 5 < il.Length;
            if (!oneByte && !ldftn) continue;
            int at = oneByte ? i + 1 : i + 2;
            int token = BitConverter.ToInt32(il, at);
            if ((token >> 24) is not (0x06 or 0x0A or 0x2B)) continue; // MethodDef, MemberRef, MethodSpec
            MethodBase? callee = null;
            try
            {
                callee = method.Module.ResolveMethod(token,
                    method.DeclaringType is { IsGenericType: true } t ? t.GetGenericArguments() : null,
                    method.IsGenericMethod ? method.GetGenericArguments() : null);
            }
            catch (Exception e) when (e is ArgumentException or BadImageFormatException or MissingMethodException or TypeLoadException) { }
            if (callee is not null) yield return callee;
        }
    }
}
