namespace MlNetExtensions.Trainers;

/// <summary>The non-linearity applied after each hidden layer.</summary>
public enum Activation
{
    /// <summary>Rectified linear unit: max(0, x). The default.</summary>
    Relu,
    /// <summary>Leaky ReLU: x for x &gt; 0, 0.01·x otherwise.</summary>
    LeakyRelu,
    /// <summary>Hyperbolic tangent.</summary>
    Tanh,
    /// <summary>Logistic sigmoid 1 / (1 + e^−x).</summary>
    Sigmoid,
    /// <summary>No non-linearity (a linear layer).</summary>
    Identity,
}
