using static TorchSharp.torch;

namespace LlmFineTune.Training.Optimizers;

/// <summary>Creates the optimizer for a training run; plug in your own by implementing it.</summary>
/// <remarks>
/// The trainer sets each optimizer parameter group's learning rate to its initial learning rate
/// times the schedule's multiplier, so a factory should give every group its base learning rate
/// times <see cref="ParameterGroup.LearningRateMultiplier"/>. Frozen parameters are included (so
/// that they can be unfrozen later); they have no gradient and the optimizer skips them.
/// Checkpoints need an optimizer deriving from <c>TorchSharp.Modules.OptimizerHelper</c>, as every
/// TorchSharp optimizer does.
/// </remarks>
public interface IOptimizerFactory
{
    /// <summary>Creates an optimizer over the given parameter groups.</summary>
    /// <param name="groups">The parameter groups, from the input side to the output side (head last).</param>
    /// <param name="learningRate">The base learning rate.</param>
    /// <returns>A new optimizer; the trainer disposes it.</returns>
    optim.Optimizer Create(IReadOnlyList<ParameterGroup> groups, double learningRate);
}
