using LlmFineTune.Modeling;
using TorchSharp.Modules;
using static TorchSharp.torch;
using static TorchSharp.torch.nn;

namespace LlmFineTune.Examples.CustomHeadAndOptimizer;

/// <summary>How a <see cref="HashedConvBackbone"/> is shaped; saved in config.json (llmfinetune.backbone_options) so that loading rebuilds it.</summary>
/// <param name="VocabularySize">Rows of the embedding table (the tokenizer's vocabulary size).</param>
/// <param name="Dimension">Embedding and output width.</param>
/// <param name="Window">Tokens each convolution sees.</param>
internal sealed record HashedConvBackboneOptions(int VocabularySize, int Dimension, int Window = 3);

/// <summary>
/// A user-written backbone: token embeddings, one 1-D convolution over a window of neighbouring tokens (so "not good"
/// reads differently from "good"), and a masked max over the text. Implementing <see cref="IBackbone"/> on a TorchSharp
/// module is all training needs; registering it with <c>ModelParts</c> is what lets a saved model load it again.
/// </summary>
internal sealed class HashedConvBackbone : Module<Tensor, Tensor, Tensor>, IBackbone
{
    private readonly Embedding embeddings;
    private readonly Conv1d conv;

    public HashedConvBackbone(HashedConvBackboneOptions options) : base(nameof(HashedConvBackbone))
    {
        Options = options;
        embeddings = Embedding(options.VocabularySize, options.Dimension, padding_idx: 0);
        conv = Conv1d(options.Dimension, options.Dimension, options.Window, padding: options.Window / 2);
        RegisterComponents();
    }

    public HashedConvBackboneOptions Options { get; }

    public string Kind => "hashed-conv";

    public int HiddenSize => Options.Dimension;

    public int VocabularySize => Options.VocabularySize;

    // a convolution has no position table: it reads texts of any length
    public int? MaxPositions => null;

    public BackboneOutput Forward(Tensor inputIds, Tensor attentionMask) =>
        new(attentionMask, tokenStates: null, pooled: forward(inputIds, attentionMask));

    public override Tensor forward(Tensor inputIds, Tensor attentionMask)
    {
        using var scope = NewDisposeScope();
        var states = conv.call(embeddings.call(inputIds).transpose(1, 2)).transpose(1, 2).tanh();
        // padding never wins the maximum
        var padding = attentionMask.eq(0).unsqueeze(-1);
        return states.masked_fill(padding, -1e4f).amax([1]).MoveToOuterDisposeScope();
    }

    public IReadOnlyList<IReadOnlyList<Parameter>> LayerGroups() => [[.. embeddings.parameters()], [.. conv.parameters()]];
}
