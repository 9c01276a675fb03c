using LlmFineTune.Evaluation;
using LlmFineTune.Modeling;
using LlmFineTune.Modeling.Heads;
using LlmFineTune.Tokenization;
using LlmFineTune.Training;

namespace LlmFineTune.DependencyInjection;

/// <summary>
/// Everything <see cref="LlmFineTuneServiceCollectionExtensions.AddLlmFineTune(Microsoft.Extensions.DependencyInjection.IServiceCollection, Action{LlmFineTuneOptions}?)"/>
/// configures: the settings of each part, and which named head, optimizer, schedule, backbone and tokenizer to use.
/// Bound from configuration as one section (for example <c>"LlmFineTune": { "Optimizer": "sgd", "Trainer": { "Epochs": 5 } }</c>).
/// </summary>
/// <remarks>The nested settings are also served on their own as <c>IOptions&lt;TrainerOptions&gt;</c>, <c>IOptions&lt;HeadOptions&gt;</c> and so on, each validated at start-up.</remarks>
public sealed class LlmFineTuneOptions
{
    /// <value>Training settings for the registered <see cref="Training.Trainer"/>. Default: <see cref="TrainerOptions"/>'s defaults.</value>
    public TrainerOptions Trainer { get; set; } = new();

    /// <value>Settings for the registered <see cref="Evaluation.Evaluator"/>. Default: <see cref="EvaluationOptions"/>'s defaults.</value>
    public EvaluationOptions Evaluation { get; set; } = new();

    /// <value>Settings the built-in heads are created with. Default: <see cref="HeadOptions"/>'s defaults.</value>
    public HeadOptions Head { get; set; } = new();

    /// <value>Settings of the <c>hashing</c> tokenizer. Default: <see cref="HashingTokenizerOptions"/>'s defaults.</value>
    public HashingTokenizerOptions HashingTokenizer { get; set; } = new();

    /// <value>Settings of the <c>wordpiece</c> tokenizer's vocabulary training. Default: <see cref="WordPieceTrainerOptions"/>'s defaults with the transformer presets' vocabulary size (<see cref="BackbonePreset.VocabularySize"/>, 8000).</value>
    public WordPieceTrainerOptions WordPiece { get; set; } = new() { VocabularySize = ModelPresets.WordPieceVocabularySize };

    /// <value>The task head: <c>single</c>, <c>multi</c>, <c>regression</c>, or a name added with <c>AddTaskHead</c>. Default <c>single</c>.</value>
    public string TaskHead { get; set; } = LlmFineTuneNames.SingleLabelHead;

    /// <value>The optimizer: <c>adamw</c>, <c>adam</c>, <c>sgd</c>, <c>rmsprop</c>, <c>adagrad</c>, or a name added with <c>AddOptimizer</c>. Default <c>adamw</c>.</value>
    public string Optimizer { get; set; } = LlmFineTuneNames.AdamW;

    /// <value>The learning-rate schedule: <c>constant</c>, <c>linear</c>, <c>cosine</c>, <c>slanted-triangular</c>, <c>one-cycle</c>, or a name added with <c>AddSchedule</c>. Default <c>constant</c>.</value>
    public string Schedule { get; set; } = LlmFineTuneNames.ConstantSchedule;

    /// <value>Warm-up steps of the <c>constant</c>, <c>linear</c> and <c>cosine</c> schedules. Default 0.</value>
    public int WarmupSteps { get; set; }

    /// <value>The backbone of new models: <c>bag</c>, <c>bert-tiny</c>, <c>bert-mini</c>, <c>bert-small</c>, <c>bert-base</c>, a GPT-2 decoder of those sizes (<c>gpt2-tiny</c> … <c>gpt2-base</c>), or a name added with <c>AddBackbone</c>. Default <c>bag</c>.</value>
    public string Backbone { get; set; } = LlmFineTuneNames.BagBackbone;

    /// <value>Embedding width of the <c>bag</c> backbone; null gives the preset's (<see cref="BackbonePreset.HiddenSize"/>, 64). Default null.</value>
    public int? BagDimension { get; set; }

    /// <value>The tokenizer of new models: <c>hashing</c>, <c>wordpiece</c>, or a name added with <c>AddTokenizer</c>; null picks <c>hashing</c> for the <c>bag</c> backbone and <c>wordpiece</c> otherwise. Default null.</value>
    public string? Tokenizer { get; set; }

    /// <value>
    /// Most tokens per text of new models (the truncation length); null gives the backbone preset's <see cref="BackbonePreset.MaxLength"/>
    /// (256 for <c>bag</c>, 128 for transformers), or 128 for a backbone added with <c>AddBackbone</c>. Default null.
    /// </value>
    public int? MaxLength { get; set; }

    /// <value>
    /// Rows of a new transformer's position table, separate from <see cref="MaxLength"/>; null gives the preset's
    /// <see cref="BackbonePreset.MaxPositions"/> (512 for <c>bert-*</c>, 1024 for <c>gpt2-*</c>), grown to <see cref="MaxLength"/> when that is longer. Default null.
    /// </value>
    public int? MaxPositions { get; set; }

    /// <summary>The tokenizer name in effect: <see cref="Tokenizer"/>, or the backbone preset's (<see cref="BackbonePreset.Tokenizer"/>; <c>wordpiece</c> for a backbone of your own).</summary>
    /// <returns>A tokenizer name.</returns>
    public string EffectiveTokenizer() =>
        Tokenizer ?? ModelPresets.Find(Backbone)?.Tokenizer ?? LlmFineTuneNames.WordPieceTokenizer;
}
