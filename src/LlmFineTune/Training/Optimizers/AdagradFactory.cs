using TorchSharp.Modules;
using static TorchSharp.torch;

namespace LlmFineTune.Training.Optimizers;

/// <summary>Adagrad with optional L2 weight decay (not on biases and normalisation weights).</summary>
public sealed class AdagradFactory : IOptimizerFactory
{
    /// <summary>Creates the factory.</summary>
    /// <param name="weightDecay">L2 penalty for weight matrices. Default 0.</param>
    /// <param name="initialAccumulator">Starting value of the squared-gradient sums. Default 0.</param>
    /// <param name="epsilon">Added to the denominator for stability. Default 1e-10.</param>
    /// <exception cref="ArgumentOutOfRangeException">A setting is out of range.</exception>
    public AdagradFactory(double weightDecay = 0, double initialAccumulator = 0, double epsilon = 1e-10)
    {
        WeightDecaySplit.CheckDecay(weightDecay);
        ArgumentOutOfRangeException.ThrowIfNegative(initialAccumulator);
        if (!(epsilon > 0)) throw new ArgumentOutOfRangeException(nameof(epsilon), epsilon, "epsilon must be positive.");
        WeightDecay = weightDecay;
        InitialAccumulator = initialAccumulator;
        Epsilon = epsilon;
    }

    /// <summary>L2 penalty for weight matrices.</summary>
    public double WeightDecay { get; }

    /// <summary>Starting value of the squared-gradient sums.</summary>
    public double InitialAccumulator { get; }

    /// <summary>Added to the denominator for stability.</summary>
    public double Epsilon { get; }

    /// <inheritdoc />
    public optim.Optimizer Create(IReadOnlyList<ParameterGroup> groups, double learningRate) =>
        optim.Adagrad(WeightDecaySplit.Split(groups, learningRate, WeightDecay, (ps, lr, wd) =>
            new Adagrad.ParamGroup(ps, new Adagrad.Options { LearningRate = lr, weight_decay = wd, initial_accumulator_value = InitialAccumulator, eps = Epsilon, lr_decay = 0 })), learningRate, 0, WeightDecay, InitialAccumulator, Epsilon);
}
