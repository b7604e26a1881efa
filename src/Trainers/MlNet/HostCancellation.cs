using System.Reflection;
using Microsoft.ML;
using Microsoft.ML.Runtime;

namespace MlNetExtensions.Trainers;

/// <summary>
/// ML.NET's own cancellation: <c>MLContext.CancelExecution()</c> (public through the Microsoft.ML.Experimental package, used by
/// AutoML) sets the <c>IsCanceled</c> flag of the context and of every host registered on it. The flag is declared by ML.NET's
/// internal <c>Microsoft.ML.Runtime.ICancelable</c> interface, so it is read by reflection: resolved once, here, and checked
/// by the training loop at every minibatch, like <see cref="MlpTrainerOptionsBase.CancellationToken"/>.
/// </summary>
internal static class HostCancellation
{
    /// <summary>ML.NET's internal interface (Microsoft.ML.Core, unchanged from ML.NET 1.5 to 5.0).</summary>
    private const string CancelableTypeName = "Microsoft.ML.Runtime.ICancelable";
    private const string IsCanceledName = "IsCanceled";

    private static readonly Lazy<(Type Interface, MethodInvoker Getter)> Resolved = new(Resolve);

    private static (Type, MethodInvoker) Resolve()
    {
        var assembly = typeof(IHostEnvironment).Assembly;
        var type = assembly.GetType(CancelableTypeName, throwOnError: false);
        var getter = type?.GetProperty(IsCanceledName, BindingFlags.Instance | BindingFlags.Public | BindingFlags.NonPublic)?.GetMethod;
        if (type is null || getter is null || getter.ReturnType != typeof(bool))
            throw new InvalidOperationException(
                $"MlNetExtensions could not find {CancelableTypeName}.{IsCanceledName} in {assembly.GetName().Name} {assembly.GetName().Version}: " +
                "this ML.NET version is outside the range MlNetExtensions supports ([5.0.1, 6.0)).");
        return (type, MethodInvoker.Create(getter));
    }

    /// <summary>Resolves the reflected member now (a clear exception if this ML.NET lacks it).</summary>
    internal static void EnsureResolved() => _ = Resolved.Value;

    /// <summary>Whether ML.NET's execution was cancelled on <paramref name="host"/> (false for an environment that cannot be cancelled).</summary>
    internal static bool IsCancelled(IHostEnvironment host)
    {
        var (type, getter) = Resolved.Value;
        return type.IsInstanceOfType(host) && (bool)getter.Invoke(host)!;
    }

    /// <summary>A check of every given host, for the training loop.</summary>
    internal static Func<bool> For(params IHostEnvironment[] hosts)
    {
        EnsureResolved();
        return () =>
        {
            foreach (var h in hosts) if (IsCancelled(h)) return true;
            return false;
        };
    }
}
