using LlmFineTune.Modeling;
using TorchSharp.Modules;
using static TorchSharp.torch;
using static TorchSharp.torch.nn;

namespace LlmFineTune.Tests.Modeling;

/// <summary>How a <see cref="MeanEmbeddingBackbone"/> is shaped.</summary>
internal sealed record MeanEmbeddingOptions(int VocabularySize, int Dimension);

/// <summary>A backbone the library does not know: the masked mean of token embeddings through a tanh layer.</summary>
internal sealed class MeanEmbeddingBackbone : Module<Tensor, Tensor, Tensor>, IBackbone
{
    private readonly Embedding embeddings;
    private readonly Linear project;

    public MeanEmbeddingBackbone(MeanEmbeddingOptions options) : base(nameof(MeanEmbeddingBackbone))
    {
        Options = options;
        embeddings = Embedding(options.VocabularySize, options.Dimension);
        project = Linear(options.Dimension, options.Dimension);
        RegisterComponents();
    }

    public MeanEmbeddingOptions Options { get; }

    public string Kind => "mean-embedding";

    public int HiddenSize => Options.Dimension;

    public int VocabularySize => Options.VocabularySize;

    public int? MaxPositions => null;

    public BackboneOutput Forward(Tensor inputIds, Tensor attentionMask) => new(attentionMask, tokenStates: null, pooled: forward(inputIds, attentionMask));

    public override Tensor forward(Tensor inputIds, Tensor attentionMask)
    {
        using var scope = NewDisposeScope();
        var mask = attentionMask.unsqueeze(-1).to_type(ScalarType.Float32);
        var mean = (embeddings.call(inputIds) * mask).sum(1) / mask.sum(1).clamp_min(1);
        return project.call(mean).tanh().MoveToOuterDisposeScope();
    }

    public IReadOnlyList<IReadOnlyList<Parameter>> LayerGroups() => [[.. parameters()]];
}
