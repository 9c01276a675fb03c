using TorchSharp.Modules;
using static TorchSharp.torch;

namespace LlmFineTune.Training.Optimizers;

/// <summary>Adam with optional L2 weight decay (not on biases and normalisation weights).</summary>
public sealed class AdamFactory : IOptimizerFactory
{
    /// <summary>Creates the factory.</summary>
    /// <param name="weightDecay">L2 penalty for weight matrices. Default 0.</param>
    /// <param name="beta1">Decay of the first-moment average. Default 0.9.</param>
    /// <param name="beta2">Decay of the second-moment average. Default 0.999.</param>
    /// <param name="epsilon">Added to the denominator for stability. Default 1e-8.</param>
    /// <exception cref="ArgumentOutOfRangeException">A setting is out of range.</exception>
    public AdamFactory(double weightDecay = 0, double beta1 = 0.9, double beta2 = 0.999, double epsilon = 1e-8)
    {
        WeightDecaySplit.CheckDecay(weightDecay);
        CheckBetas(beta1, beta2, epsilon);
        WeightDecay = weightDecay;
        Beta1 = beta1;
        Beta2 = beta2;
        Epsilon = epsilon;
    }

    /// <summary>L2 penalty for weight matrices.</summary>
    public double WeightDecay { get; }

    /// <summary>Decay of the first-moment average.</summary>
    public double Beta1 { get; }

    /// <summary>Decay of the second-moment average.</summary>
    public double Beta2 { get; }

    /// <summary>Added to the denominator for stability.</summary>
    public double Epsilon { get; }

    /// <inheritdoc />
    public optim.Optimizer Create(IReadOnlyList<ParameterGroup> groups, double learningRate) =>
        optim.Adam(WeightDecaySplit.Split(groups, learningRate, WeightDecay, (ps, lr, wd) =>
            new Adam.ParamGroup(ps, new Adam.Options { LearningRate = lr, weight_decay = wd, beta1 = Beta1, beta2 = Beta2, eps = Epsilon })), learningRate);

    internal static void CheckBetas(double beta1, double beta2, double epsilon)
    {
        if (!(beta1 >= 0 && beta1 < 1)) throw new ArgumentOutOfRangeException(nameof(beta1), beta1, "beta1 must be in [0, 1).");
        if (!(beta2 >= 0 && beta2 < 1)) throw new ArgumentOutOfRangeException(nameof(beta2), beta2, "beta2 must be in [0, 1).");
        if (!(epsilon > 0)) throw new ArgumentOutOfRangeException(nameof(epsilon), epsilon, "epsilon must be positive.");
    }
}
