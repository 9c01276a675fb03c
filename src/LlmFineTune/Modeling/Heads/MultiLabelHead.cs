using LlmFineTune.Batching;
using LlmFineTune.Data;
using LlmFineTune.Validation;
using static TorchSharp.torch;
using F = TorchSharp.torch.nn.functional;

namespace LlmFineTune.Modeling.Heads;

/// <summary>Any subset of the labels per text: an independent sigmoid per label, trained with binary cross-entropy.</summary>
/// <remarks>The per-label thresholds are a buffer (<c>thresholds</c>), so they are saved and loaded with the weights.</remarks>
public sealed class MultiLabelHead : TaskHead
{
    private readonly Tensor thresholds;

    /// <summary>Creates the head.</summary>
    /// <param name="hiddenSize">The backbone's width.</param>
    /// <param name="labels">The number of labels (at least 1).</param>
    /// <param name="options">Pooling, MLP, dropout and thresholds; defaults when null.</param>
    /// <exception cref="ArgumentOutOfRangeException">A size is out of range.</exception>
    /// <exception cref="Microsoft.Extensions.Options.OptionsValidationException">An option is invalid, or there is not one threshold per label.</exception>
    public MultiLabelHead(int hiddenSize, int labels, HeadOptions? options = null) : base(nameof(MultiLabelHead), hiddenSize, labels, options)
    {
        if (Options.Thresholds is { } given && given.Count != labels)
            throw OptionsValidation.Invalid<HeadOptions>(nameof(HeadOptions.Thresholds), $"needs one threshold per label ({labels}), got {given.Count}.");
        float[] values = Options.Thresholds?.ToArray() ?? Enumerable.Repeat(0.5f, labels).ToArray();
        thresholds = tensor(values).DetachFromDisposeScope();
        register_buffer(nameof(thresholds), thresholds);
    }

    /// <inheritdoc />
    public override TaskKind Kind => TaskKind.MultiLabel;

    /// <summary>The probability above which each label is predicted, in label-id order.</summary>
    public IReadOnlyList<float> Thresholds => thresholds.data<float>().ToArray();

    /// <summary>Replaces the thresholds (for example with ones tuned on a validation set). Do not call while other threads predict.</summary>
    /// <param name="values">One threshold in (0, 1) per label.</param>
    /// <exception cref="ArgumentException">The count or a value is wrong.</exception>
    public void SetThresholds(IReadOnlyList<float> values)
    {
        ArgumentNullException.ThrowIfNull(values);
        if (values.Count != Outputs)
            throw new ArgumentException($"Needs one threshold per label ({Outputs}), got {values.Count}.", nameof(values));
        if (values.Any(t => !(t > 0 && t < 1)))
            throw new ArgumentException($"Every threshold must be in (0, 1) (was [{string.Join(", ", values)}]).", nameof(values));
        using var scope = NewDisposeScope();
        using var noGrad = no_grad();
        thresholds.copy_(tensor(values.ToArray()));
    }

    /// <inheritdoc />
    public override float DecisionThreshold(int output) => thresholds.data<float>()[output];

    /// <inheritdoc />
    public override Tensor Loss(Tensor logits, Batch batch) =>
        F.binary_cross_entropy_with_logits(logits, batch.Targets ?? throw new ArgumentException("A multi-label batch needs Targets.", nameof(batch)));

    /// <inheritdoc />
    public override Tensor Scores(Tensor logits) => logits.sigmoid();
}
