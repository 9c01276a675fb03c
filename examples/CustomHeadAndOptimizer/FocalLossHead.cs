using LlmFineTune.Batching;
using LlmFineTune.Data;
using LlmFineTune.Modeling.Heads;
using static TorchSharp.torch;
using F = TorchSharp.torch.nn.functional;

namespace LlmFineTune.Examples.CustomHeadAndOptimizer;

/// <summary>What builds a <see cref="FocalLossHead"/> besides the width and labels; saved in config.json (llmfinetune.head_options).</summary>
/// <param name="Gamma">How much confident examples are down-weighted; 0 is plain cross-entropy.</param>
/// <param name="Head">Pooling, MLP and dropout of the library's head body.</param>
internal sealed record FocalLossOptions(double Gamma = 2.0, HeadOptions? Head = null);

/// <summary>
/// A user-written single-label head with focal loss (Lin et al., 2017): examples the model already gets right
/// count less, so training concentrates on the hard ones. Pooling and projection come from <see cref="TaskHead"/>;
/// this class only supplies the loss and the scores.
/// </summary>
internal sealed class FocalLossHead : TaskHead
{
    public FocalLossHead(int hiddenSize, int classes, FocalLossOptions options)
        : base(nameof(FocalLossHead), hiddenSize, classes, options.Head)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(options.Gamma);
        Gamma = options.Gamma;
    }

    public double Gamma { get; }

    public override TaskKind Kind => TaskKind.SingleLabel;

    public override Tensor Loss(Tensor logits, Batch batch)
    {
        var labels = batch.Labels ?? throw new ArgumentException("A single-label batch needs Labels.", nameof(batch));
        // log p of the true class, then down-weight confident examples by (1 - p)^gamma
        var logProbability = F.log_softmax(logits, -1).gather(-1, labels.unsqueeze(-1)).squeeze(-1);
        var weight = (1 - logProbability.exp()).pow(Gamma);
        return -(weight * logProbability).mean();
    }

    public override Tensor Scores(Tensor logits) => logits.softmax(-1);
}
