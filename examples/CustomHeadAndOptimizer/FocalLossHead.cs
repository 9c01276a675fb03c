using LlmFineTune.Batching;
using LlmFineTune.Data;
using LlmFineTune.Modeling.Heads;
using static TorchSharp.torch;
using F = TorchSharp.torch.nn.functional;

namespace LlmFineTune.Examples.CustomHeadAndOptimizer;

/// <summary>
/// A user-written single-label head with focal loss (Lin et al., 2017): examples the model already gets right
/// count less, so training concentrates on the hard ones. Pooling and projection come from <see cref="TaskHead"/>;
/// this class only supplies the loss and the scores.
/// </summary>
internal sealed class FocalLossHead : TaskHead
{
    private readonly double gamma;

    public FocalLossHead(int hiddenSize, int classes, double gamma = 2.0, HeadOptions? options = null)
        : base(nameof(FocalLossHead), hiddenSize, classes, options)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(gamma);
        this.gamma = gamma;
    }

    public override TaskKind Kind => TaskKind.SingleLabel;

    public override Tensor Loss(Tensor logits, Batch batch)
    {
        var labels = batch.Labels ?? throw new ArgumentException("A single-label batch needs Labels.", nameof(batch));
        // log p of the true class, then down-weight confident examples by (1 - p)^gamma
        var logProbability = F.log_softmax(logits, -1).gather(-1, labels.unsqueeze(-1)).squeeze(-1);
        var weight = (1 - logProbability.exp()).pow(gamma);
        return -(weight * logProbability).mean();
    }

    public override Tensor Scores(Tensor logits) => logits.softmax(-1);
}
