using System.Diagnostics;

namespace MlNetExtensions.Tests;

/// <summary>Runs the LoadCheck program in a new process, as a deployed application would load a model.</summary>
internal static class ProcessRunner
{
    public static (int ExitCode, string Output, string Error) LoadCheck(string model, string data, string labelKind, string columns, bool register = true)
    {
        var dll = Path.Combine(AppContext.BaseDirectory, "MlNetExtensions.LoadCheck.dll");
        var psi = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var a in new[] { "exec", dll, model, data, labelKind, columns }) psi.ArgumentList.Add(a);
        if (!register) psi.Environment["LOADCHECK_NO_REGISTER"] = "1";
        using var p = Process.Start(psi)!;
        var output = p.StandardOutput.ReadToEndAsync();
        var error = p.StandardError.ReadToEndAsync();
        if (!p.WaitForExit(120_000)) { p.Kill(true); throw new TimeoutException("LoadCheck did not finish in 120 s."); }
        return (p.ExitCode, output.Result, error.Result);
    }
}
