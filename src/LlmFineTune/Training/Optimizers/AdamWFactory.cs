using TorchSharp.Modules;
using static TorchSharp.torch;

namespace LlmFineTune.Training.Optimizers;

/// <summary>AdamW, with no weight decay on biases and normalisation weights (as BERT trains).</summary>
public sealed class AdamWFactory : IOptimizerFactory
{
    /// <summary>Creates the factory.</summary>
    /// <param name="weightDecay">Decoupled weight decay for weight matrices. Default 0.01.</param>
    public AdamWFactory(double weightDecay = 0.01)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(weightDecay);
        WeightDecay = weightDecay;
    }

    /// <summary>Decoupled weight decay for weight matrices.</summary>
    public double WeightDecay { get; }

    /// <inheritdoc />
    public optim.Optimizer Create(IReadOnlyList<(string Name, Parameter Parameter)> parameters, double learningRate)
    {
        var decayed = parameters.Where(p => !IsExemptFromDecay(p.Name, p.Parameter)).Select(p => p.Parameter).ToList();
        var exempt = parameters.Where(p => IsExemptFromDecay(p.Name, p.Parameter)).Select(p => p.Parameter).ToList();
        var groups = new List<AdamW.ParamGroup>();
        if (decayed.Count > 0) groups.Add(new AdamW.ParamGroup(decayed, new AdamW.Options { LearningRate = learningRate, weight_decay = WeightDecay }));
        if (exempt.Count > 0) groups.Add(new AdamW.ParamGroup(exempt, new AdamW.Options { LearningRate = learningRate, weight_decay = 0 }));
        return optim.AdamW(groups, learningRate);
    }

    /// <summary>Biases and LayerNorm weights are vectors; decaying them only hurts.</summary>
    internal static bool IsExemptFromDecay(string name, Parameter parameter) =>
        parameter.dim() < 2 || name.EndsWith("bias", StringComparison.Ordinal);
}
