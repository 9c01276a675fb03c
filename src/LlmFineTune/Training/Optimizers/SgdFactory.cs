using TorchSharp.Modules;
using static TorchSharp.torch;

namespace LlmFineTune.Training.Optimizers;

/// <summary>Stochastic gradient descent with optional momentum (classic or Nesterov) and L2 weight decay (not on biases and normalisation weights).</summary>
public sealed class SgdFactory : IOptimizerFactory
{
    /// <summary>Creates the factory.</summary>
    /// <param name="momentum">Momentum factor in [0, 1). Default 0.</param>
    /// <param name="nesterov">Use Nesterov momentum (needs momentum above 0). Default false.</param>
    /// <param name="weightDecay">L2 penalty for weight matrices. Default 0.</param>
    /// <exception cref="ArgumentOutOfRangeException">A setting is out of range.</exception>
    /// <exception cref="ArgumentException">Nesterov without momentum.</exception>
    public SgdFactory(double momentum = 0, bool nesterov = false, double weightDecay = 0)
    {
        if (!(momentum >= 0 && momentum < 1)) throw new ArgumentOutOfRangeException(nameof(momentum), momentum, "momentum must be in [0, 1).");
        WeightDecaySplit.CheckDecay(weightDecay);
        if (nesterov && momentum == 0)
            throw new ArgumentException("Nesterov momentum needs momentum above 0.", nameof(nesterov));
        Momentum = momentum;
        Nesterov = nesterov;
        WeightDecay = weightDecay;
    }

    /// <summary>Momentum factor.</summary>
    public double Momentum { get; }

    /// <summary>Whether momentum is Nesterov's.</summary>
    public bool Nesterov { get; }

    /// <summary>L2 penalty for weight matrices.</summary>
    public double WeightDecay { get; }

    /// <inheritdoc />
    public optim.Optimizer Create(IReadOnlyList<ParameterGroup> groups, double learningRate) =>
        optim.SGD(WeightDecaySplit.Split(groups, learningRate, WeightDecay, (ps, lr, wd) =>
            new SGD.ParamGroup(ps, new SGD.Options { LearningRate = lr, weight_decay = wd, momentum = Momentum, nesterov = Nesterov, dampening = 0 })), learningRate, Momentum, 0, WeightDecay, Nesterov);
}
