using LlmFineTune.Data;
using LlmFineTune.Modeling;

namespace LlmFineTune.Training;

/// <summary>
/// The front door for the common case: builds a classifier for a training set (from scratch or from a
/// pretrained directory) and fine-tunes it with the recommended settings, holding out a validation
/// split, keeping the best epoch and calibrating its probabilities. Every part stays replaceable:
/// <see cref="ClassifierFactory"/>, <see cref="Trainer"/> and the heads and optimizers underneath.
/// </summary>
public static class FineTuning
{
    /// <summary>Builds and fine-tunes a classifier.</summary>
    /// <param name="train">The labeled training set.</param>
    /// <param name="options">Backbone, starting point, seed and training settings; defaults when null.</param>
    /// <param name="validation">A validation set; null holds out part of <paramref name="train"/> (see <see cref="TrainerOptions.ValidationFraction"/>).</param>
    /// <param name="progress">Receives each optimizer step.</param>
    /// <param name="cancellationToken">Stops training between steps.</param>
    /// <returns>The fine-tuned classifier; the caller disposes it.</returns>
    /// <exception cref="ArgumentException">The backbone name is unknown, conflicts with <see cref="FineTuningOptions.From"/>, or the training set has fewer than two classes.</exception>
    /// <exception cref="Microsoft.Extensions.Options.OptionsValidationException">A training setting is invalid; the message names it.</exception>
    /// <exception cref="InvalidDataException">The <see cref="FineTuningOptions.From"/> directory is missing a file or holds a malformed one.</exception>
    /// <exception cref="OperationCanceledException">Cancelled.</exception>
    public static TextClassifier Run(ITextDataset train, FineTuningOptions? options = null, ITextDataset? validation = null,
        IProgress<TrainingProgress>? progress = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(train);
        options ??= new FineTuningOptions();
        string backbone = options.From is null ? options.Backbone ?? ClassifierFactory.Bag : ClassifierFactory.BackboneOf(options.From);
        var trainerOptions = options.Trainer ?? TrainerOptions.Recommended(backbone, pretrained: options.From is not null, train.Count);
        if (options.Trainer is null)
            trainerOptions.Seed = options.Seed;
        trainerOptions.Validate();

        var factory = new ClassifierFactoryOptions { Backbone = options.Backbone, Seed = options.Seed };
        var model = options.From is null ? ClassifierFactory.Create(train, factory) : ClassifierFactory.FromPretrained(options.From, train, factory);
        try
        {
            new Trainer(trainerOptions).Train(model, train, validation, progress, cancellationToken);
            return model;
        }
        catch
        {
            model.Dispose();
            throw;
        }
    }
}
