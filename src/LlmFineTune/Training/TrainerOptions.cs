namespace LlmFineTune.Training;

/// <summary>How <see cref="Trainer"/> trains.</summary>
public sealed class TrainerOptions
{
    /// <value>Passes over the training set. Default 3.</value>
    public int Epochs { get; set; } = 3;

    /// <value>Examples per optimizer step. Default 16.</value>
    public int BatchSize { get; set; } = 16;

    /// <value>Peak learning rate. Default 1e-3.</value>
    public double LearningRate { get; set; } = 1e-3;

    /// <value>Seed of weight-free randomness: shuffling and dropout. Default 42.</value>
    public int Seed { get; set; } = 42;

    /// <summary>Checks every option.</summary>
    /// <exception cref="ArgumentOutOfRangeException">An option is out of range; the message names it.</exception>
    public void Validate()
    {
        if (Epochs < 1)
            throw new ArgumentOutOfRangeException(nameof(Epochs), Epochs, "Epochs must be at least 1.");
        if (BatchSize < 1)
            throw new ArgumentOutOfRangeException(nameof(BatchSize), BatchSize, "BatchSize must be at least 1.");
        if (!(LearningRate > 0) || double.IsInfinity(LearningRate))
            throw new ArgumentOutOfRangeException(nameof(LearningRate), LearningRate, "LearningRate must be a positive finite number.");
    }
}
