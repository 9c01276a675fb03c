using static TorchSharp.torch;

namespace LlmFineTune.Modeling;

/// <summary>
/// The body of a model: token ids in, token states and/or a pooled vector out. Implementations
/// derive from <see cref="TorchSharp.torch.nn.Module"/> so that their parameters train and save.
/// </summary>
public interface IBackbone
{
    /// <summary>A short name of the architecture, saved in the model directory (for example <c>bag</c>).</summary>
    string Kind { get; }

    /// <summary>The width of the states and pooled vector.</summary>
    int HiddenSize { get; }

    /// <summary>Rows of the token embedding table: the most token ids the backbone accepts (for the bag, its hash buckets).</summary>
    int VocabularySize { get; }

    /// <summary>Rows of the position table, the longest input the backbone can read; null when it has no position limit (the bag).</summary>
    /// <remarks>The length a classifier truncates to (<see cref="TextClassifier.MaxLength"/>) is separate and at most this.</remarks>
    int? MaxPositions { get; }

    /// <summary>Runs the backbone.</summary>
    /// <param name="inputIds">Token ids, int64 <c>[batch, seq]</c>.</param>
    /// <param name="attentionMask">1 for real tokens, 0 for padding, int64 <c>[batch, seq]</c>.</param>
    /// <returns>Fresh tensors in the caller's dispose scope; the inputs are not disposed.</returns>
    BackboneOutput Forward(Tensor inputIds, Tensor attentionMask);

    /// <summary>Parameter groups from the input side to the output side, for freezing and layer-wise learning rates.</summary>
    /// <returns>At least one group.</returns>
    IReadOnlyList<IReadOnlyList<TorchSharp.Modules.Parameter>> LayerGroups();
}
