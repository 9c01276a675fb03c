using TorchSharp.Modules;

namespace LlmFineTune.Training.Optimizers;

/// <summary>Parameters that share a learning rate: one layer group of a backbone, or the head.</summary>
/// <param name="Parameters">The parameters with their names (names decide, for example, weight-decay exemptions).</param>
/// <param name="LearningRateMultiplier">This group's share of the base learning rate (discriminative learning rates); 1 for all by default.</param>
public sealed record ParameterGroup(IReadOnlyList<(string Name, Parameter Parameter)> Parameters, double LearningRateMultiplier = 1.0);
