using LlmFineTune.Training.Schedules;

namespace LlmFineTune.Pretraining;

/// <summary>
/// Settings for <see cref="LanguageModelPretraining.Run"/>: the backbone (and so the objective), the vocabulary it learns and the
/// training budget. The defaults are the recipe the accuracy study measured best on 2 cores (docs/accuracy.md): AdamW 1e-3
/// with 5 % warm-up then linear decay, clipping at 1, 30 % masking, no dropout, 64-token sequences.
/// </summary>
public sealed class LanguageModelPretrainingOptions
{
    /// <summary>The share of the steps the default schedule warms up over.</summary>
    public const double DefaultWarmupShare = 0.05;

    /// <value>
    /// A <see cref="Modeling.Backbones.BertBackboneConfig.PresetNames"/> encoder, pretrained with masked LM, or a
    /// <see cref="Modeling.Backbones.CausalDecoderConfig.PresetNames"/> GPT-2 decoder of the same sizes, pretrained with causal LM.
    /// Ignored when <see cref="From"/> is set (the directory's backbone continues). Default <c>bert-mini</c>.
    /// </value>
    public string Backbone { get; set; } = "bert-mini";

    /// <value>
    /// Continue pretraining the model in this directory (written by <see cref="LanguageModelPretraining.Run"/>, a fine-tuned BERT or GPT-2
    /// classifier, or a Hugging Face checkpoint) on the new documents: its weights and tokenizer are loaded and no vocabulary is learned
    /// (domain adaptation). A masked-LM head missing from the directory starts fresh. Default null (a new model).
    /// </value>
    public string? From { get; set; }

    /// <value>Size of the WordPiece vocabulary trained on the corpus (not used with <see cref="From"/>). Default: the preset's <see cref="Modeling.BackbonePreset.VocabularySize"/>, 8000.</value>
    public int VocabularySize { get; set; } = Modeling.ModelPresets.WordPieceVocabularySize;

    /// <value>
    /// Tokens per pretraining sequence (with <see cref="From"/>, at most the model's positions). Default 64:
    /// on 2 cores four times as many steps fit a budget as at 256, and short texts (the fine-tuning sets) lose little.
    /// </value>
    public int MaxLength { get; set; } = 64;

    /// <value>
    /// Rows of a new model's position table (not used with <see cref="From"/>); null gives <see cref="MaxLength"/>, not the preset's
    /// larger table, because positions pretraining never reaches would stay untrained yet be used by a fine-tuning that truncates
    /// later. Default null.
    /// </value>
    public int? MaxPositions { get; set; }

    /// <value>Pack documents back to back into full sequences instead of one document per sequence; see <see cref="PretrainingOptions.Packing"/>. Default false.</value>
    public bool Packing { get; set; }

    /// <value>Sequences per step. Default 32.</value>
    public int BatchSize { get; set; } = 32;

    /// <value>Passes over the corpus; ignored when <see cref="Steps"/> or <see cref="TimeBudget"/> is set. Default 1.</value>
    public int Epochs { get; set; } = 1;

    /// <value>Optimizer steps in total; null trains by <see cref="TimeBudget"/>, else by <see cref="Epochs"/>. Default null.</value>
    public int? Steps { get; set; }

    /// <value>
    /// Wall-clock time for the training steps (vocabulary learning and calibration come on top). A short calibration times
    /// <see cref="CalibrationSteps"/> steps of a throwaway copy of the model and fixes the step count to the budget over the time per
    /// step; the count is reported (<see cref="LanguageModelPretrainingResult.Calibration"/>) and saved in the output's
    /// <c>pretraining.json</c>, so a run can be repeated (or resumed) exactly with <see cref="Steps"/>. The schedule spans those
    /// steps. Cannot be combined with <see cref="Steps"/>. Default null.
    /// </value>
    public TimeSpan? TimeBudget { get; set; }

    /// <value>
    /// Steps timed to calibrate a <see cref="TimeBudget"/>, after <see cref="CalibrationWarmupSteps"/> untimed ones. Default 20: unpacked
    /// batches differ tenfold in padded size, and the step time is fitted to that size (bert-mini on debian descriptions, one thread:
    /// 5 timed steps overestimated the run's mean step by half).
    /// </value>
    public int CalibrationSteps { get; set; } = 20;

    /// <summary>Untimed steps before a calibration times any: the first steps also grow the allocator's pools.</summary>
    public const int CalibrationWarmupSteps = 3;

    /// <value>
    /// Peak learning rate (AdamW). Default 1e-3: 5e-4 learned slower and 2e-3 stayed on the unigram plateau (bert-mini, 800-step
    /// runs on debian descriptions, 5 % warm-up, linear decay).
    /// </value>
    public double LearningRate { get; set; } = 1e-3;

    /// <value>
    /// The learning-rate schedule; null warms up over the first <see cref="DefaultWarmupShare"/> of the steps, then decays linearly
    /// to 0 at the last one (<see cref="LinearSchedule"/>, BERT's). Pass <see cref="ConstantSchedule"/> for a constant rate. Default null.
    /// </value>
    public ILearningRateSchedule? Schedule { get; set; }

    /// <value>Clip the global gradient norm to this value; null does not clip. Default 1.</value>
    public double? MaxGradientNorm { get; set; } = 1.0;

    /// <value>
    /// Dropout of the new model while it pretrains (hidden and attention dropout; GPT-2's residual, embedding and attention dropout),
    /// also saved in its config; null keeps the preset's 0.1. Not used with <see cref="From"/> (the directory's config decides).
    /// Default 0: a budgeted run sees each sequence once or twice, so dropout only slows learning (as in "cramming" BERT).
    /// </value>
    public double? Dropout { get; set; } = 0.0;

    /// <value>
    /// How masked LM chooses and corrupts tokens (<c>bert-*</c> backbones only). Default 30 % of tokens, 80/10/10: twice BERT's
    /// 15 %, since more predictions per sequence leave the unigram plateau sooner in a short run (bert-mini, 800 steps on debian
    /// descriptions: held-out perplexity 421 at 30 % against 511 at 15 %).
    /// </value>
    public MaskingOptions Masking { get; set; } = new() { Probability = 0.3 };

    /// <value>
    /// Pretrain the <c>bert-*</c> encoder with ELECTRA's replaced-token detection (<see cref="Pretraining.ReplacedTokenDetection"/>) under
    /// these settings instead of masked LM; <see cref="Masking"/> is then not used (ELECTRA masks by its own
    /// <see cref="ReplacedTokenDetectionOptions.Masking"/>). The held-out <see cref="PretrainingEvaluation.Loss"/> is then ELECTRA's whole loss
    /// (generator + λ · discriminator), whose exponential is no perplexity. Not for GPT-2 decoders. Default null (masked LM).
    /// </value>
    public ReplacedTokenDetectionOptions? ReplacedTokenDetection { get; set; }

    /// <value>Documents taken from the end of the corpus to measure held-out loss and perplexity before and after; 0 skips it. Default 0.</value>
    public int HeldOutDocuments { get; set; }

    /// <value>Seed for weights, shuffling and masking. Default 42.</value>
    public int Seed { get; set; } = 42;

    /// <summary>The clock calibration reads; tests replace it to make the step count of a <see cref="TimeBudget"/> exact.</summary>
    internal TimeProvider Clock { get; set; } = TimeProvider.System;

    /// <value>Where training checkpoints go (written on cancellation, and by the store's own rules); null writes none. Default null.</value>
    public Training.Checkpoints.ICheckpointStore? Checkpoints { get; set; }

    /// <value>Continue from this checkpoint directory, or <see cref="Training.TrainerOptions.Latest"/> for the newest in <see cref="Checkpoints"/>; the result equals an uninterrupted run with the same options. Default null.</value>
    public string? ResumeFrom { get; set; }
}
