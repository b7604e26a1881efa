namespace MlNetExtensions.Trainers.Optimization;

/// <summary>
/// A copy of everything an <see cref="Optimizer"/> carries from one step to the next: the step count (Adam's t, and the
/// learning-rate schedule's position), the learning rate last set, and each parameter's state buffers (velocities, moment
/// estimates, squared-gradient sums), for a training checkpoint.
/// </summary>
/// <param name="StepCount">Steps taken so far.</param>
/// <param name="LearningRate">The learning rate the last step used (the schedule sets it again before the next one).</param>
/// <param name="Buffers">
/// Per parameter, in the network's parameter order, the rule's state buffers; null for a parameter the rule has not stepped
/// yet (its buffers would start at zero). Empty arrays for a rule without state (SGD).
/// </param>
internal sealed record OptimizerState(long StepCount, float LearningRate, float[][]?[] Buffers);
