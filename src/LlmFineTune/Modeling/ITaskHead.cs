using LlmFineTune.Batching;
using LlmFineTune.Data;
using static TorchSharp.torch;

namespace LlmFineTune.Modeling;

/// <summary>
/// The task-adaptation layer: turns backbone output into logits and owns the loss. Implementations
/// derive from <see cref="TorchSharp.torch.nn.Module"/> so that their parameters train and save.
/// </summary>
public interface ITaskHead
{
    /// <summary>The kind of target this head predicts.</summary>
    TaskKind Kind { get; }

    /// <summary>Computes logits.</summary>
    /// <param name="features">The backbone's output.</param>
    /// <returns>Logits <c>[batch, outputs]</c>, a fresh tensor.</returns>
    Tensor Forward(BackboneOutput features);

    /// <summary>The training loss of a batch.</summary>
    /// <param name="logits">This head's logits for the batch.</param>
    /// <param name="batch">The batch with its targets.</param>
    /// <returns>A scalar tensor.</returns>
    Tensor Loss(Tensor logits, Batch batch);

    /// <summary>Turns logits into the scores users see: probabilities, or values for regression.</summary>
    /// <param name="logits">Logits <c>[batch, outputs]</c>.</param>
    /// <returns>Scores of the same shape.</returns>
    Tensor Scores(Tensor logits);

    /// <summary>The score above which multi-label prediction reports an output as present.</summary>
    /// <param name="output">The output (label id).</param>
    /// <returns>The threshold; 0.5 unless the head overrides it.</returns>
    float DecisionThreshold(int output) => 0.5f;
}
