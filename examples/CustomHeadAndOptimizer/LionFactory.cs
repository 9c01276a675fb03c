using LlmFineTune.Training.Optimizers;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace LlmFineTune.Examples.CustomHeadAndOptimizer;

/// <summary>
/// A user-written optimizer factory: Lion, with weight decay only on weight matrices (as the built-in factories do).
/// Its settings are public properties named like the constructor's parameters, so that <c>OptimizerParts</c> can record
/// them in a saved model's config.json and rebuild the factory from them.
/// </summary>
internal sealed class LionFactory(double beta1 = 0.9, double beta2 = 0.99, double weightDecay = 0.01) : IOptimizerFactory
{
    public double Beta1 { get; } = beta1;

    public double Beta2 { get; } = beta2;

    public double WeightDecay { get; } = weightDecay;

    public optim.Optimizer Create(IReadOnlyList<ParameterGroup> groups, double learningRate)
    {
        var lionGroups = new List<Lion.Group>();
        foreach (var group in groups)
        {
            double rate = learningRate * group.LearningRateMultiplier;
            var decayed = group.Parameters.Where(p => p.Parameter.dim() >= 2).Select(p => p.Parameter).ToList();
            var exempt = group.Parameters.Where(p => p.Parameter.dim() < 2).Select(p => p.Parameter).ToList();
            if (decayed.Count > 0) lionGroups.Add(new Lion.Group(decayed, new Lion.Options { LearningRate = rate, WeightDecay = WeightDecay }));
            if (exempt.Count > 0) lionGroups.Add(new Lion.Group(exempt, new Lion.Options { LearningRate = rate, WeightDecay = 0 }));
        }
        return new Lion(lionGroups, learningRate, Beta1, Beta2);
    }
}
