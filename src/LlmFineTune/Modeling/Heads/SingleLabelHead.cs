using LlmFineTune.Batching;
using LlmFineTune.Data;
using TorchSharp.Modules;
using static TorchSharp.torch;
using static TorchSharp.torch.nn;
using F = TorchSharp.torch.nn.functional;

namespace LlmFineTune.Modeling.Heads;

/// <summary>One class per text: pooled features → linear → softmax cross-entropy.</summary>
public sealed class SingleLabelHead : Module<Tensor, Tensor>, ITaskHead
{
    private readonly Linear classifier;

    /// <summary>Creates the head.</summary>
    /// <param name="hiddenSize">The backbone's width.</param>
    /// <param name="classes">The number of classes (at least 2).</param>
    /// <exception cref="ArgumentOutOfRangeException">A size is out of range.</exception>
    public SingleLabelHead(int hiddenSize, int classes) : base(nameof(SingleLabelHead))
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(hiddenSize, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(classes, 2);
        Classes = classes;
        classifier = Linear(hiddenSize, classes);
        RegisterComponents();
    }

    /// <summary>The number of classes.</summary>
    public int Classes { get; }

    /// <inheritdoc />
    public TaskKind Kind => TaskKind.SingleLabel;

    /// <inheritdoc />
    public Tensor Forward(BackboneOutput features) => forward(Pool(features));

    /// <summary>Projects pooled features to class logits.</summary>
    /// <param name="pooled"><c>[batch, hidden]</c>.</param>
    /// <returns><c>[batch, classes]</c>.</returns>
    public override Tensor forward(Tensor pooled) => classifier.call(pooled);

    /// <inheritdoc />
    public Tensor Loss(Tensor logits, Batch batch) =>
        F.cross_entropy(logits, batch.Labels ?? throw new ArgumentException("A single-label batch needs Labels.", nameof(batch)));

    /// <inheritdoc />
    public Tensor Scores(Tensor logits) => logits.softmax(-1);

    private static Tensor Pool(BackboneOutput features)
    {
        if (features.Pooled is { } pooled)
            return pooled;
        var mask = features.AttentionMask.unsqueeze(-1).to_type(features.TokenStates!.dtype);
        return (features.TokenStates * mask).sum(1) / mask.sum(1).clamp_min(1);
    }
}
