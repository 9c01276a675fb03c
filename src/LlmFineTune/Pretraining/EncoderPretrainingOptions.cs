using LlmFineTune.Training.Schedules;

namespace LlmFineTune.Pretraining;

/// <summary>Settings for <see cref="EncoderPretraining.Run"/>: the backbone (and so the objective), the vocabulary it learns and the training budget.</summary>
public sealed class EncoderPretrainingOptions
{
    /// <value>
    /// A <see cref="Modeling.Backbones.TransformerEncoderConfig.PresetNames"/> encoder, pretrained with masked LM, or a
    /// <see cref="Modeling.Backbones.CausalDecoderConfig.PresetNames"/> GPT-2 decoder of the same sizes, pretrained with causal LM.
    /// Default <c>bert-mini</c>.
    /// </value>
    public string Backbone { get; set; } = "bert-mini";

    /// <value>Size of the WordPiece vocabulary trained on the corpus. Default 8000.</value>
    public int VocabularySize { get; set; } = 8000;

    /// <value>Tokens per pretraining sequence (also the model's positions). Default 128.</value>
    public int MaxLength { get; set; } = 128;

    /// <value>Pack documents back to back into full sequences instead of one document per sequence; see <see cref="PretrainingOptions.Packing"/>. Default false.</value>
    public bool Packing { get; set; }

    /// <value>Sequences per step. Default 32.</value>
    public int BatchSize { get; set; } = 32;

    /// <value>Passes over the corpus; ignored when <see cref="Steps"/> is set. Default 1.</value>
    public int Epochs { get; set; } = 1;

    /// <value>Optimizer steps in total; null trains by <see cref="Epochs"/>. Default null.</value>
    public int? Steps { get; set; }

    /// <value>Peak learning rate (AdamW). Default 5e-4.</value>
    public double LearningRate { get; set; } = 5e-4;

    /// <value>
    /// The learning-rate schedule; null keeps <see cref="LearningRate"/> constant. Short runs on real text leave the
    /// unigram plateau sooner with a warm-up and a decay, e.g. <c>new LinearSchedule(warmupSteps: Steps / 20)</c>. Default null.
    /// </value>
    public ILearningRateSchedule? Schedule { get; set; }

    /// <value>Clip the global gradient norm to this value; null does not clip. Default null.</value>
    public double? MaxGradientNorm { get; set; }

    /// <value>
    /// How masked LM chooses and corrupts tokens (<c>bert-*</c> backbones only). Default BERT's: 15 % of tokens, 80/10/10.
    /// Short runs learn faster with a higher <see cref="MaskingOptions.Probability"/> (0.3 measured better than 0.15 at 800 steps).
    /// </value>
    public MaskingOptions Masking { get; set; } = new();

    /// <value>Documents taken from the end of the corpus to measure held-out loss and perplexity before and after; 0 skips it. Default 0.</value>
    public int HeldOutDocuments { get; set; }

    /// <value>Seed for weights, shuffling and masking. Default 42.</value>
    public int Seed { get; set; } = 42;

    /// <value>Where training checkpoints go (written on cancellation, and by the store's own rules); null writes none. Default null.</value>
    public Training.Checkpoints.ICheckpointStore? Checkpoints { get; set; }

    /// <value>Continue from this checkpoint directory, or <see cref="Training.TrainerOptions.Latest"/> for the newest in <see cref="Checkpoints"/>; the result equals an uninterrupted run with the same options. Default null.</value>
    public string? ResumeFrom { get; set; }
}
