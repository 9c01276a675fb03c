using TorchSharp;
using static TorchSharp.torch;

namespace LlmFineTune.Batching;

/// <summary>
/// A collated batch: padded token ids, the attention mask and the targets. Owns its tensors;
/// dispose it (or let the enclosing <c>DisposeScope</c> do so) when the step is done.
/// </summary>
public sealed class Batch : IDisposable
{
    /// <summary>Creates a batch that takes ownership of the given tensors.</summary>
    /// <param name="inputIds">Token ids, int64 <c>[batch, seq]</c>.</param>
    /// <param name="attentionMask">1 for real tokens and 0 for padding, int64 <c>[batch, seq]</c>.</param>
    /// <param name="labels">Class ids, int64 <c>[batch]</c>, for single-label tasks.</param>
    /// <param name="targets">Float targets: <c>[batch, classes]</c> multi-hot, or <c>[batch]</c> values for regression.</param>
    public Batch(Tensor inputIds, Tensor attentionMask, Tensor? labels = null, Tensor? targets = null)
    {
        InputIds = inputIds;
        AttentionMask = attentionMask;
        Labels = labels;
        Targets = targets;
    }

    /// <summary>Token ids, int64 <c>[batch, seq]</c>.</summary>
    public Tensor InputIds { get; }

    /// <summary>1 for real tokens, 0 for padding; int64 <c>[batch, seq]</c>.</summary>
    public Tensor AttentionMask { get; }

    /// <summary>Class ids, int64 <c>[batch]</c> (single-label tasks), or null.</summary>
    public Tensor? Labels { get; }

    /// <summary>Float targets (multi-label <c>[batch, classes]</c>, regression <c>[batch]</c>), or null.</summary>
    public Tensor? Targets { get; }

    /// <summary>The number of examples.</summary>
    public int Count => (int)InputIds.shape[0];

    /// <summary>Moves every tensor to the enclosing dispose scope's parent, so the batch outlives the scope it was built in.</summary>
    /// <returns>This batch.</returns>
    public Batch MoveToOuterDisposeScope()
    {
        InputIds.MoveToOuterDisposeScope();
        AttentionMask.MoveToOuterDisposeScope();
        Labels?.MoveToOuterDisposeScope();
        Targets?.MoveToOuterDisposeScope();
        return this;
    }

    /// <summary>Detaches every tensor from dispose scopes; the batch is then freed only by <see cref="Dispose"/>.</summary>
    /// <returns>This batch.</returns>
    public Batch DetachFromDisposeScope()
    {
        InputIds.DetachFromDisposeScope();
        AttentionMask.DetachFromDisposeScope();
        Labels?.DetachFromDisposeScope();
        Targets?.DetachFromDisposeScope();
        return this;
    }

    /// <inheritdoc />
    public void Dispose()
    {
        InputIds.Dispose();
        AttentionMask.Dispose();
        Labels?.Dispose();
        Targets?.Dispose();
    }
}
