using LlmFineTune.Batching;
using LlmFineTune.Data;
using LlmFineTune.Validation;
using static TorchSharp.torch;
using F = TorchSharp.torch.nn.functional;

namespace LlmFineTune.Modeling.Heads;

/// <summary>One class per text: softmax cross-entropy, with optional label smoothing and class weights.</summary>
public sealed class SingleLabelHead : TaskHead
{
    private readonly float[]? classWeights;

    /// <summary>Creates the head.</summary>
    /// <param name="hiddenSize">The backbone's width.</param>
    /// <param name="classes">The number of classes (at least 2).</param>
    /// <param name="options">Pooling, MLP, dropout, label smoothing and class weights; defaults when null.</param>
    /// <exception cref="ArgumentOutOfRangeException">A size is out of range.</exception>
    /// <exception cref="Microsoft.Extensions.Options.OptionsValidationException">An option is invalid, or there is not one class weight per class.</exception>
    public SingleLabelHead(int hiddenSize, int classes, HeadOptions? options = null) : base(nameof(SingleLabelHead), hiddenSize, classes, options)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(classes, 2);
        if (Options.ClassWeights is { } weights && weights.Count != classes)
            throw OptionsValidation.Invalid<HeadOptions>(nameof(HeadOptions.ClassWeights), $"needs one weight per class ({classes}), got {weights.Count}.");
        classWeights = Options.ClassWeights?.ToArray();
    }

    /// <summary>The number of classes.</summary>
    public int Classes => Outputs;

    /// <inheritdoc />
    public override TaskKind Kind => TaskKind.SingleLabel;

    /// <inheritdoc />
    public override Tensor Loss(Tensor logits, Batch batch)
    {
        var labels = batch.Labels ?? throw new ArgumentException("A single-label batch needs Labels.", nameof(batch));
        // The weight tensor is made per call so that it lives in the step's scope, not on the module.
        var weight = classWeights is null ? null : tensor(classWeights);
        return F.cross_entropy(logits, labels, weight, label_smoothing: Options.LabelSmoothing);
    }

    /// <inheritdoc />
    public override Tensor Scores(Tensor logits) => logits.softmax(-1);
}
