using LlmFineTune.Serving;

namespace LlmFineTune.Onnx;

/// <summary>How an <see cref="OnnxTextClassifier"/> runs its model, and how <c>AddOnnxTextClassifier</c> serves it.</summary>
public sealed class OnnxTextClassifierOptions
{
    /// <value>Threads ONNX Runtime uses inside one prediction, or 0 for its default (one per core). Default 0.</value>
    public int IntraOpThreads { get; set; }

    /// <value>
    /// How the <see cref="TextClassificationService"/> that <c>AddOnnxTextClassifier</c> registers groups concurrent requests into
    /// forward passes, how many may wait, and for how long. Default: <see cref="MicroBatchingOptions"/>'s defaults.
    /// </value>
    public MicroBatchingOptions Batching { get; set; } = new();
}
