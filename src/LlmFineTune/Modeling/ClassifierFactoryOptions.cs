using LlmFineTune.Data;

namespace LlmFineTune.Modeling;

/// <summary>What <see cref="ClassifierFactory"/> builds: the backbone by name, the head kind and the sizes that start from scratch.</summary>
public sealed class ClassifierFactoryOptions
{
    /// <value>
    /// One of <see cref="ClassifierFactory.BackboneNames"/>. From scratch, null means <c>bag</c>; from a
    /// pretrained directory, null means the directory's own backbone, and a different name is an error.
    /// Default null.
    /// </value>
    public string? Backbone { get; set; }

    /// <value>The head: single-label, multi-label or regression; null follows the training set's <see cref="ITextDataset.Kind"/>. Default null.</value>
    public TaskKind? Head { get; set; }

    /// <value>Most tokens per text; null gives 256 for <c>bag</c> and 128 for transformer backbones (at most the checkpoint's positions). Default null.</value>
    public int? MaxLength { get; set; }

    /// <value>Size of the WordPiece vocabulary trained on the training texts when a transformer backbone starts from scratch. Default 8000.</value>
    public int VocabularySize { get; set; } = 8000;

    /// <value>Width of the <c>bag</c> backbone's embeddings. Default 64.</value>
    public int BagDimension { get; set; } = 64;

    /// <value>Hash buckets of the <c>bag</c> backbone's tokenizer (its embedding rows). Default 2^18.</value>
    public int BagBuckets { get; set; } = 1 << 18;

    /// <value>Longest word n-gram the <c>bag</c> backbone's tokenizer hashes (1 = words only, 2 = words and bigrams). Default 2.</value>
    public int BagWordNgrams { get; set; } = 2;

    /// <value>Options of a fresh head (dropout, pooling, …); null gives the defaults (transformers pool the mean of their token states). Default null.</value>
    public Heads.HeadOptions? HeadOptions { get; set; }

    /// <value>Seed for the initial weights (torch's global generator is seeded with it). Default 42.</value>
    public int Seed { get; set; } = 42;
}
