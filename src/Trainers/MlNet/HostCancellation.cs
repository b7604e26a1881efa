using Microsoft.ML;
using Microsoft.ML.Runtime;
using MlNetExtensions.Plumbing;

namespace MlNetExtensions.Trainers;

/// <summary>
/// ML.NET's own cancellation: <c>MLContext.CancelExecution()</c> (public through the Microsoft.ML.Experimental package, used by
/// AutoML) sets the <c>IsCanceled</c> flag of the context and of every host registered on it. The flag is declared by ML.NET's
/// internal <c>Microsoft.ML.Runtime.ICancelable</c> interface, so it is read by reflection: resolved once, in
/// <see cref="MlNetInternals"/>, and checked by the training loop at every minibatch, like <see cref="MlpTrainerOptionsBase.CancellationToken"/>.
/// </summary>
internal static class HostCancellation
{
    /// <summary>Resolves the reflected member now (a clear exception if this ML.NET lacks it).</summary>
    internal static void EnsureResolved() => MlNetInternals.EnsureResolved();

    /// <summary>Whether ML.NET's execution was cancelled on <paramref name="host"/> (false for an environment that cannot be cancelled).</summary>
    internal static bool IsCancelled(IHostEnvironment host)
    {
        var ml = MlNetInternals.Current;
        return ml.Cancelable.IsInstanceOfType(host) && (bool)ml.IsCanceledInvoker.Invoke(host)!;
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
