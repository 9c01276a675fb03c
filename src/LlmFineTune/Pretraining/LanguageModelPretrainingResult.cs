using LlmFineTune.Training;

namespace LlmFineTune.Pretraining;

/// <summary>What <see cref="LanguageModelPretraining.Run"/> did.</summary>
/// <param name="Training">The training run (steps, loss history).</param>
/// <param name="VocabularySize">Pieces in the tokenizer's vocabulary (learned, or loaded with <see cref="LanguageModelPretrainingOptions.From"/>).</param>
/// <param name="Before">Held-out loss and perplexity before training; null when no documents were held out.</param>
/// <param name="After">Held-out loss and perplexity after training; null when no documents were held out.</param>
public sealed record LanguageModelPretrainingResult(TrainingResult Training, int VocabularySize, PretrainingEvaluation? Before, PretrainingEvaluation? After)
{
    /// <summary>How the <see cref="LanguageModelPretrainingOptions.TimeBudget"/> became a step count; null when the run had none.</summary>
    public PretrainingCalibration? Calibration { get; init; }
}
