using LlmFineTune.Modeling;

namespace LlmFineTune.Training;

/// <summary>What <see cref="FineTuning.Run"/> builds and how it trains; every setting has a measured default.</summary>
public sealed class FineTuningOptions
{
    /// <value>One of <see cref="ClassifierFactory.BackboneNames"/>; null means <c>bag</c> from scratch, or the <see cref="From"/> directory's own backbone. Default null.</value>
    public string? Backbone { get; set; }

    /// <value>A pretrained or fine-tuned model directory to start from (<c>llmft pretrain</c> output, a saved classifier, a Hugging Face BERT or GPT-2 checkpoint); null starts from scratch. Default null.</value>
    public string? From { get; set; }

    /// <value>Seed for the initial weights, the held-out validation split, shuffling and dropout. Default 42.</value>
    public int Seed { get; set; } = 42;

    /// <value>The training settings; null takes <see cref="TrainerOptions.Recommended(string, bool, int)"/> for the backbone and the training set's size (with <see cref="Seed"/>). Default null.</value>
    public TrainerOptions? Trainer { get; set; }
}
