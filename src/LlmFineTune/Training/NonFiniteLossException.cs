namespace LlmFineTune.Training;

/// <summary>
/// Training produced a NaN or infinite loss (or gradient norm). The bad step was not applied, so the
/// model holds the weights of the last good step.
/// </summary>
public sealed class NonFiniteLossException : InvalidOperationException
{
    /// <summary>Creates the exception.</summary>
    /// <param name="step">The optimizer step that failed, from 1.</param>
    /// <param name="epoch">The epoch.</param>
    /// <param name="value">The loss or gradient norm that was not finite.</param>
    /// <param name="what">What was not finite (<c>loss</c> or <c>gradient norm</c>).</param>
    public NonFiniteLossException(int step, int epoch, double value, string what)
        : base($"The training {what} became {value} at step {step} (epoch {epoch}); the step was not applied and the model keeps the weights of step {step - 1}. Lower TrainerOptions.LearningRate, set TrainerOptions.MaxGradientNorm, or check the data for extreme targets.")
    {
        Step = step;
        Epoch = epoch;
        Value = value;
    }

    /// <summary>The optimizer step that failed, from 1.</summary>
    public int Step { get; }

    /// <summary>The epoch.</summary>
    public int Epoch { get; }

    /// <summary>The value that was not finite.</summary>
    public double Value { get; }
}
