using TorchSharp.Modules;
using static TorchSharp.torch;

namespace LlmFineTune.Training.Optimizers;

/// <summary>Creates the optimizer for a training run; plug in your own by implementing it.</summary>
public interface IOptimizerFactory
{
    /// <summary>Creates an optimizer over the given parameters.</summary>
    /// <param name="parameters">The trainable parameters.</param>
    /// <param name="learningRate">The initial learning rate.</param>
    /// <returns>A new optimizer; the trainer disposes it.</returns>
    optim.Optimizer Create(IReadOnlyList<(string Name, Parameter Parameter)> parameters, double learningRate);
}
