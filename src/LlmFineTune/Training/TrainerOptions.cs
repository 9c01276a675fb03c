using LlmFineTune.Modeling;
using LlmFineTune.Modeling.Backbones;
using LlmFineTune.Validation;

namespace LlmFineTune.Training;

/// <summary>How <see cref="Trainer"/> trains. Checked up front; every message names the option.</summary>
public sealed class TrainerOptions
{
    /// <value>Passes over the training set; ignored when <see cref="MaxSteps"/> is set. Default 3.</value>
    public int Epochs { get; set; } = 3;

    /// <value>Optimizer steps to take, overriding <see cref="Epochs"/>; required for streaming tasks. Default null (train by epochs).</value>
    public int? MaxSteps { get; set; }

    /// <value>Examples per batch (the classifier convenience methods use it; a custom task batches itself). Default 16.</value>
    public int BatchSize { get; set; } = 16;

    /// <value>Batches whose gradients are summed into one optimizer step (the effective batch is this times <see cref="BatchSize"/>). Default 1.</value>
    public int GradientAccumulationSteps { get; set; } = 1;

    /// <value>Peak (base) learning rate; the schedule multiplies it. Default 1e-3.</value>
    public double LearningRate { get; set; } = 1e-3;

    /// <value>Divides each lower layer group's learning rate by this factor (discriminative fine-tuning; ULMFiT uses 2.6); 1 turns it off. Default 1.</value>
    public double LayerLearningRateDecay { get; set; } = 1.0;

    /// <value>Clips the global gradient norm to this value before each step, or null for no clipping. Default null.</value>
    public double? MaxGradientNorm { get; set; }

    /// <value>Seed of all training randomness: shuffling (derived from seed and epoch) and the torch generator (dropout). Default 42.</value>
    public int Seed { get; set; } = 42;

    /// <value>Whether to batch texts of similar length together (shuffled, then sorted within chunks of 50 batches) to cut padding. Default true.</value>
    public bool GroupByLength { get; set; } = true;

    /// <value>Batches prepared ahead on a background thread while the model computes, or 0 to prepare each on the training thread. Default 2.</value>
    public int PrefetchBatches { get; set; } = 2;

    /// <value>Evaluate every this many optimizer steps, or 0 to evaluate at the end of each epoch. Evaluation needs a validation set or an evaluating task. Default 0.</value>
    public int EvaluateEverySteps { get; set; }

    /// <value>
    /// The evaluation metric that decides the best model and early stopping (for example <c>loss</c>, <c>accuracy</c>
    /// or <c>macroF1</c>). Default null: <c>macroF1</c> when fine-tuning a single- or multi-label classifier,
    /// <c>loss</c> otherwise (regression, pretraining, custom tasks). Validation loss stops too early on many-class
    /// sets, where it rises while macro-F1 still climbs; chosen leave-one-set-out on ten labeled sets (docs/defaults.md).
    /// </value>
    public string? MetricForBestModel { get; set; }

    /// <value>Whether a larger <see cref="MetricForBestModel"/> is better (accuracy) rather than a smaller one (loss). Default null: smaller is better for <c>loss</c>, <c>logLoss</c> and <c>perplexity</c>, larger for every other metric.</value>
    public bool? GreaterIsBetter { get; set; }

    /// <value>Stop after this many evaluations in a row without improvement, or 0 never to stop early. Default 0.</value>
    public int EarlyStoppingPatience { get; set; }

    /// <value>At the end, put back the weights of the best evaluation. Default false.</value>
    public bool RestoreBestWeights { get; set; }

    /// <value>Write a checkpoint every this many optimizer steps (needs a checkpoint store), or 0 for none besides the final one, cancellation and callback requests. Default 0.</value>
    public int CheckpointEverySteps { get; set; }

    /// <value>Resume from a checkpoint: its directory, or <c>latest</c> for the checkpoint store's newest. Default null (start afresh).</value>
    public string? ResumeFrom { get; set; }

    /// <value>
    /// When a classifier is trained without a validation set, this share of its training set (stratified, seeded by
    /// <see cref="Seed"/>) is held out: it is evaluated after every epoch, the weights of the best
    /// <see cref="MetricForBestModel"/> are restored at the end, and the temperature is fitted on it. Sets of fewer than
    /// <see cref="MinimumExamplesToHoldOut"/> examples are never split; 0 turns the holdout off. Default 0.1.
    /// </value>
    public double ValidationFraction { get; set; } = 0.1;

    /// <value>After a held-out run (see <see cref="ValidationFraction"/>), train again from the initial weights on every example for the best run's number of epochs. Default false.</value>
    public bool RefitOnAllData { get; set; }

    /// <value>After fine-tuning a single-label or multi-label classifier with a validation set (given or held out), fit <see cref="Modeling.TextClassifier.Temperature"/> on it (<see cref="Evaluation.TemperatureScaling"/>); when false the temperature is reset to 1. Default true.</value>
    public bool CalibrateTemperature { get; set; } = true;

    /// <summary>Training sets smaller than this are used whole even when <see cref="ValidationFraction"/> is set: a validation part of a few examples would select noise.</summary>
    public const int MinimumExamplesToHoldOut = 100;

    /// <summary>The <see cref="ResumeFrom"/> value that means the newest checkpoint of the store.</summary>
    public const string Latest = "latest";

    /// <summary>Checks every option.</summary>
    /// <exception cref="Microsoft.Extensions.Options.OptionsValidationException">An option is invalid; the message names each one and its fix.</exception>
    public void Validate() => OptionsValidation.ThrowIfInvalid(TrainerOptionsValidator.Instance, this);

    /// <summary>A copy whose changes do not reach this instance.</summary>
    internal TrainerOptions Copy() => (TrainerOptions)MemberwiseClone();

    /// <summary>
    /// Training settings that work for a backbone out of the box: a high learning rate for <c>bag</c>, a lower one for transformers
    /// (lower still when pretrained). When the training set's size is known, prefer <see cref="Recommended(string, bool, int)"/>.
    /// </summary>
    /// <param name="backbone">One of <see cref="ClassifierFactory.BackboneNames"/> (or <c>bert</c> / <c>gpt2</c> for an encoder / decoder of another size).</param>
    /// <param name="pretrained">Whether the backbone continues from pretrained weights.</param>
    /// <returns>New options; change what you like.</returns>
    /// <exception cref="ArgumentException">The backbone name is unknown.</exception>
    public static TrainerOptions Recommended(string backbone, bool pretrained)
    {
        return IsBag(backbone)
            // chosen leave-one-set-out on six labeled sets' validation splits (docs/defaults.md): lr 0.02 beat 0.05 on 3 of 4 sets, tied on the 4th
            ? new TrainerOptions { Epochs = 10, LearningRate = 0.02, BatchSize = 16 }
            : new TrainerOptions { Epochs = pretrained ? 6 : 10, LearningRate = pretrained ? 3e-4 : 5e-4, BatchSize = 16, MaxGradientNorm = 1.0 };
    }

    /// <summary>
    /// <see cref="Recommended(string, bool)"/> for a training set of a given size: a <c>bag</c> trains for enough epochs to see
    /// at least <see cref="BagMinimumExamplesSeen"/> examples (more than 10 epochs below 3,000 examples), a transformer at least
    /// <see cref="TransformerMinimumExamplesSeen"/> (more than its 6 or 10 epochs below 500 or 300 examples), since a few passes
    /// over a few hundred examples leave either far from trained and the best epoch is kept anyway.
    /// </summary>
    /// <param name="backbone">One of <see cref="ClassifierFactory.BackboneNames"/> (or <c>bert</c> / <c>gpt2</c>).</param>
    /// <param name="pretrained">Whether the backbone continues from pretrained weights.</param>
    /// <param name="trainingExamples">Examples in the training set (before any validation part is held out), at least 1.</param>
    /// <returns>New options; change what you like.</returns>
    /// <exception cref="ArgumentException">The backbone name is unknown.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="trainingExamples"/> is below 1.</exception>
    public static TrainerOptions Recommended(string backbone, bool pretrained, int trainingExamples)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(trainingExamples, 1);
        var options = Recommended(backbone, pretrained);
        int minimum = IsBag(backbone) ? BagMinimumExamplesSeen : TransformerMinimumExamplesSeen;
        options.Epochs = (int)Math.Max(options.Epochs, (minimum + (long)trainingExamples - 1) / trainingExamples);
        return options;
    }

    /// <summary>
    /// The examples a recommended <c>bag</c> sees at least: chosen leave-one-set-out at 100 and 500 labels on ten labeled sets'
    /// validation splits from 10 epochs, 3,000, 10,000 and 30,000 (docs/defaults.md, "small label budgets").
    /// </summary>
    public const int BagMinimumExamplesSeen = 30_000;

    /// <summary>
    /// The examples a recommended transformer (<c>bert-*</c>, <c>gpt2-*</c>, scratch or pretrained) sees at least: chosen
    /// leave-one-set-out at 100 labels on ten labeled sets' validation splits from its recommended epochs and 3,000
    /// (docs/defaults.md, "transformers on a few labels").
    /// </summary>
    public const int TransformerMinimumExamplesSeen = 3_000;

    private static bool IsBag(string backbone)
    {
        ArgumentNullException.ThrowIfNull(backbone);
        // A directory of no preset's size is named by its architecture (bert, gpt2) and trains as the transformer presets do.
        return backbone is not (BertBackbone.KindName or CausalDecoder.KindName) && ModelPresets.Get(backbone).Kind == BagOfNgrams.KindName;
    }
}
