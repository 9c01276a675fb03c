using TorchSharp.Modules;
using static TorchSharp.torch;

namespace LlmFineTune.Training.Optimizers;

/// <summary>RMSprop with optional momentum and L2 weight decay (not on biases and normalisation weights).</summary>
public sealed class RmsPropFactory : IOptimizerFactory
{
    /// <summary>Creates the factory.</summary>
    /// <param name="alpha">Decay of the squared-gradient average, in [0, 1). Default 0.99.</param>
    /// <param name="momentum">Momentum factor in [0, 1). Default 0.</param>
    /// <param name="weightDecay">L2 penalty for weight matrices. Default 0.</param>
    /// <param name="epsilon">Added to the denominator for stability. Default 1e-8.</param>
    /// <exception cref="ArgumentOutOfRangeException">A setting is out of range.</exception>
    public RmsPropFactory(double alpha = 0.99, double momentum = 0, double weightDecay = 0, double epsilon = 1e-8)
    {
        if (!(alpha >= 0 && alpha < 1)) throw new ArgumentOutOfRangeException(nameof(alpha), alpha, "alpha must be in [0, 1).");
        if (!(momentum >= 0 && momentum < 1)) throw new ArgumentOutOfRangeException(nameof(momentum), momentum, "momentum must be in [0, 1).");
        WeightDecaySplit.CheckDecay(weightDecay);
        if (!(epsilon > 0)) throw new ArgumentOutOfRangeException(nameof(epsilon), epsilon, "epsilon must be positive.");
        Alpha = alpha;
        Momentum = momentum;
        WeightDecay = weightDecay;
        Epsilon = epsilon;
    }

    /// <summary>Decay of the squared-gradient average.</summary>
    public double Alpha { get; }

    /// <summary>Momentum factor.</summary>
    public double Momentum { get; }

    /// <summary>L2 penalty for weight matrices.</summary>
    public double WeightDecay { get; }

    /// <summary>Added to the denominator for stability.</summary>
    public double Epsilon { get; }

    /// <inheritdoc />
    public optim.Optimizer Create(IReadOnlyList<ParameterGroup> groups, double learningRate) =>
        optim.RMSProp(WeightDecaySplit.Split(groups, learningRate, WeightDecay, (ps, lr, wd) =>
            new RMSProp.ParamGroup(ps, new RMSProp.Options { LearningRate = lr, weight_decay = wd, alpha = Alpha, momentum = Momentum, eps = Epsilon, centered = false })), learningRate, Alpha, Epsilon, WeightDecay, Momentum);
}
