using LlmFineTune.Batching;
using static TorchSharp.torch;

namespace LlmFineTune.Pretraining;

/// <summary>
/// A self-supervised objective (masked LM, causal LM): turns token sequences into inputs with
/// targets, and scores them with the backbone plus the objective's own small head.
/// </summary>
/// <remarks>
/// Label convention: <see cref="Batch.Labels"/> is int64 <c>[batch, seq]</c> holding the token to
/// predict at each position and -100 (<see cref="IgnoredLabel"/>) where nothing is predicted.
/// </remarks>
public interface IPretrainingObjective
{
    /// <summary>The label of positions that carry no loss (as in PyTorch's cross-entropy <c>ignore_index</c>).</summary>
    public const long IgnoredLabel = -100;

    /// <summary>The module that trains: the backbone with the objective's head.</summary>
    nn.Module Module { get; }

    /// <summary>Builds a batch: pads the sequences and chooses the targets.</summary>
    /// <param name="sequences">Token ids per example (special tokens included), each non-empty.</param>
    /// <param name="random">The only source of randomness, so that a seeded generator makes the batch reproducible.</param>
    /// <returns>A batch the caller owns, with <see cref="Batch.Labels"/> as described on the interface.</returns>
    Batch CreateBatch(IReadOnlyList<int[]> sequences, Random random);

    /// <summary>The mean cross-entropy over the predicted positions of a batch.</summary>
    /// <param name="batch">A batch from <see cref="CreateBatch"/>.</param>
    /// <returns>A scalar tensor in the caller's dispose scope.</returns>
    Tensor Loss(Batch batch);
}
