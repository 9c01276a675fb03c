using TorchSharp.Modules;
using static TorchSharp.torch;

namespace LlmFineTune.Training.Optimizers;

/// <summary>AdamW, with no weight decay on biases and normalisation weights (as BERT trains). The default optimizer.</summary>
/// <remarks>
/// Sparse gradients (the default of <see cref="Modeling.Backbones.BagOfNgrams"/>) get a lazy,
/// row-wise update like PyTorch's <c>SparseAdam</c>: only the rows in the batch move, and their
/// moments and weight decay advance only when they are in a batch. Dense gradients get the
/// standard update.
/// </remarks>
public sealed class AdamWFactory : IOptimizerFactory
{
    /// <summary>Creates the factory.</summary>
    /// <param name="weightDecay">Decoupled weight decay for weight matrices. Default 0.01.</param>
    /// <param name="beta1">Decay of the first-moment average. Default 0.9.</param>
    /// <param name="beta2">Decay of the second-moment average. Default 0.999.</param>
    /// <param name="epsilon">Added to the denominator for stability. Default 1e-8.</param>
    /// <exception cref="ArgumentOutOfRangeException">A setting is out of range.</exception>
    public AdamWFactory(double weightDecay = 0.01, double beta1 = 0.9, double beta2 = 0.999, double epsilon = 1e-8)
    {
        WeightDecaySplit.CheckDecay(weightDecay);
        AdamFactory.CheckBetas(beta1, beta2, epsilon);
        WeightDecay = weightDecay;
        Beta1 = beta1;
        Beta2 = beta2;
        Epsilon = epsilon;
    }

    /// <summary>Decoupled weight decay for weight matrices.</summary>
    public double WeightDecay { get; }

    /// <summary>Decay of the first-moment average.</summary>
    public double Beta1 { get; }

    /// <summary>Decay of the second-moment average.</summary>
    public double Beta2 { get; }

    /// <summary>Added to the denominator for stability.</summary>
    public double Epsilon { get; }

    /// <inheritdoc />
    public optim.Optimizer Create(IReadOnlyList<ParameterGroup> groups, double learningRate) =>
        new AdamW(WeightDecaySplit.Split(groups, learningRate, WeightDecay, (ps, lr, wd) =>
            new AdamW.ParamGroup(ps, new AdamW.Options { LearningRate = lr, weight_decay = wd, beta1 = Beta1, beta2 = Beta2, eps = Epsilon })), learningRate);
}
