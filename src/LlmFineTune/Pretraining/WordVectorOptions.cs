using LlmFineTune.Tokenization;

namespace LlmFineTune.Pretraining;

/// <summary>Settings of <see cref="WordVectorPretraining.Run"/>; the defaults are fastText's for its unsupervised models, and the bag's for the table.</summary>
public sealed class WordVectorOptions
{
    /// <value>Skip-gram or CBOW. Default skip-gram.</value>
    public WordVectorObjective Objective { get; set; } = WordVectorObjective.SkipGram;

    /// <value>
    /// The hashing the vectors are learned under and the bag fine-tunes with (saved with them). Its character n-grams are the
    /// subwords whose rows a word's vector averages; its word n-grams are not trained here and start fine-tuning as usual.
    /// Default the bag's: 2^18 buckets, words and bigrams, no character n-grams.
    /// </value>
    public HashingTokenizerOptions Tokenizer { get; set; } = new();

    /// <value>Vector width (the bag's embedding width). Default 64, the bag's.</value>
    public int Dimension { get; set; } = Modeling.ModelPresets.Bag.HiddenSize;

    /// <value>Largest distance of a context word; each position draws its window from 1 to this, as word2vec does. Default 5.</value>
    public int Window { get; set; } = 5;

    /// <value>Negative samples per target, drawn by word frequency to the power 0.5. Default 5.</value>
    public int Negatives { get; set; } = 5;

    /// <value>Passes over the corpus. Default 5.</value>
    public int Epochs { get; set; } = 5;

    /// <value>Starting SGD step size, decayed linearly to 0 over the run. Default 0.05.</value>
    public double LearningRate { get; set; } = 0.05;

    /// <value>Frequent words are dropped with probability 1 − (√(t/f) + t/f) for a word of frequency f (fastText's t). Default 1e-4.</value>
    public double SamplingThreshold { get; set; } = 1e-4;

    /// <value>Seed of the initial vectors, windows, sampling and negatives. Default 42.</value>
    public int Seed { get; set; } = 42;

    /// <summary>Checks every setting.</summary>
    /// <exception cref="ArgumentOutOfRangeException">A setting is out of range; the message names it.</exception>
    public void Validate()
    {
        ArgumentNullException.ThrowIfNull(Tokenizer, nameof(Tokenizer));
        Tokenizer.Validate();
        ArgumentOutOfRangeException.ThrowIfLessThan(Dimension, 1, nameof(Dimension));
        ArgumentOutOfRangeException.ThrowIfLessThan(Window, 1, nameof(Window));
        ArgumentOutOfRangeException.ThrowIfLessThan(Negatives, 1, nameof(Negatives));
        ArgumentOutOfRangeException.ThrowIfLessThan(Epochs, 1, nameof(Epochs));
        if (!(LearningRate > 0 && double.IsFinite(LearningRate)))
            throw new ArgumentOutOfRangeException(nameof(LearningRate), LearningRate, $"{nameof(LearningRate)} must be a positive number.");
        if (!(SamplingThreshold > 0 && SamplingThreshold <= 1))
            throw new ArgumentOutOfRangeException(nameof(SamplingThreshold), SamplingThreshold, $"{nameof(SamplingThreshold)} must be in (0, 1].");
    }
}
