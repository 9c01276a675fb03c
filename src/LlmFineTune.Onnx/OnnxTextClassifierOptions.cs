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

    /// <value>
    /// Whether <c>AddOnnxTextClassifier</c> serves a new export written to its directory (its <c>config.json</c> or <c>model.onnx</c>
    /// changes) without a restart: requests in flight finish on the old model, which is then disposed; an export that fails to load
    /// leaves the old model answering and turns <see cref="TextClassifierHealthCheck"/> Degraded. Export to a sibling directory and
    /// rename it into place, so that a half-written export is never seen. Default false.
    /// </value>
    public bool ReloadOnChange { get; set; }

    /// <value>How often the directory is checked when <see cref="ReloadOnChange"/> is set; between 10 ms and 1 hour. Default 2 seconds.</value>
    public TimeSpan ReloadInterval { get; set; } = TimeSpan.FromSeconds(2);
}
