namespace LlmFineTune.Onnx;

/// <summary>How an <see cref="OnnxTextClassifier"/> runs its model.</summary>
public sealed class OnnxTextClassifierOptions
{
    /// <value>Threads ONNX Runtime uses inside one prediction, or 0 for its default (one per core). Default 0.</value>
    public int IntraOpThreads { get; set; }
}
