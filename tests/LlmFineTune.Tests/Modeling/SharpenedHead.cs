using LlmFineTune.Batching;
using LlmFineTune.Data;
using LlmFineTune.Modeling.Heads;
using static TorchSharp.torch;
using F = TorchSharp.torch.nn.functional;

namespace LlmFineTune.Tests.Modeling;

/// <summary>What builds a <see cref="SharpenedHead"/> besides the width and labels.</summary>
internal sealed record SharpenedHeadOptions(double Sharpness, HeadOptions? Head = null);

/// <summary>A head the library does not know: softmax of the logits times a saved factor.</summary>
internal sealed class SharpenedHead(int hiddenSize, int classes, SharpenedHeadOptions options)
    : TaskHead(nameof(SharpenedHead), hiddenSize, classes, options.Head)
{
    public double Sharpness { get; } = options.Sharpness;

    public override TaskKind Kind => TaskKind.SingleLabel;

    public override Tensor Loss(Tensor logits, Batch batch) => F.cross_entropy(logits * Sharpness, batch.Labels!);

    public override Tensor Scores(Tensor logits) => (logits * Sharpness).softmax(-1);
}
