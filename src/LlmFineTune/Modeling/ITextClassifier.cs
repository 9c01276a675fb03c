using LlmFineTune.Data;

namespace LlmFineTune.Modeling;

/// <summary>
/// A loaded classifier that predicts from text, whatever runs it: <c>TextClassifier</c>
/// (TorchSharp) or <c>OnnxTextClassifier</c> (ONNX Runtime, package LlmFineTune.Onnx). Inject this to
/// swap one for the other. Implementations are safe to call from many threads at once.
/// </summary>
public interface ITextClassifier
{
    /// <summary>The classes, in id order.</summary>
    LabelMap Labels { get; }

    /// <summary>What the model predicts: one class, any subset of labels, or a value; it decides which Predict methods apply.</summary>
    TaskKind Task { get; }

    /// <summary>Classifies one text.</summary>
    /// <param name="text">The text.</param>
    /// <returns>The most likely class and every class's score.</returns>
    Prediction Predict(string text);

    /// <summary>Classifies several texts in one forward pass.</summary>
    /// <param name="texts">The texts.</param>
    /// <returns>One prediction per text, in order.</returns>
    IReadOnlyList<Prediction> PredictBatch(IReadOnlyList<string> texts);

    /// <summary>Finds the labels that apply to a text (multi-label models).</summary>
    /// <param name="text">The text.</param>
    /// <returns>The labels above their thresholds, and every label's probability.</returns>
    MultiLabelPrediction PredictLabels(string text);

    /// <summary>Finds the labels that apply to each of several texts (multi-label models).</summary>
    /// <param name="texts">The texts.</param>
    /// <returns>One prediction per text, in order.</returns>
    IReadOnlyList<MultiLabelPrediction> PredictLabelsBatch(IReadOnlyList<string> texts);

    /// <summary>Predicts the value of a text (regression models).</summary>
    /// <param name="text">The text.</param>
    /// <returns>The predicted value.</returns>
    float PredictValue(string text);

    /// <summary>Predicts the values of several texts (regression models).</summary>
    /// <param name="texts">The texts.</param>
    /// <returns>One value per text, in order.</returns>
    IReadOnlyList<float> PredictValues(IReadOnlyList<string> texts);
}
