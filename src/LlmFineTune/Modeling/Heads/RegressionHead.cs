using LlmFineTune.Batching;
using LlmFineTune.Data;
using static TorchSharp.torch;
using F = TorchSharp.torch.nn.functional;

namespace LlmFineTune.Modeling.Heads;

/// <summary>One real number per text, trained with mean squared error or Huber loss.</summary>
public sealed class RegressionHead : TaskHead
{
    /// <summary>Creates the head.</summary>
    /// <param name="hiddenSize">The backbone's width.</param>
    /// <param name="options">Pooling, MLP, dropout and the loss; defaults when null.</param>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="hiddenSize"/> is below 1.</exception>
    /// <exception cref="Microsoft.Extensions.Options.OptionsValidationException">An option is invalid.</exception>
    public RegressionHead(int hiddenSize, HeadOptions? options = null) : base(nameof(RegressionHead), hiddenSize, outputs: 1, options)
    {
    }

    /// <inheritdoc />
    public override TaskKind Kind => TaskKind.Regression;

    /// <inheritdoc />
    public override Tensor Loss(Tensor logits, Batch batch)
    {
        var targets = batch.Targets ?? throw new ArgumentException("A regression batch needs Targets.", nameof(batch));
        var predicted = logits.squeeze(-1);
        return Options.RegressionLoss == RegressionLoss.Huber
            ? F.huber_loss(predicted, targets, Options.HuberDelta)
            : F.mse_loss(predicted, targets);
    }

    /// <inheritdoc />
    public override Tensor Scores(Tensor logits) => logits.alias();
}
