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

    /// <value>
    /// Most tokens per text (the truncation length); null gives the preset's <see cref="BackbonePreset.MaxLength"/> (256 for <c>bag</c>,
    /// 128 for transformers; from a pretrained directory, at most its positions). Default null.
    /// </value>
    public int? MaxLength { get; set; }

    /// <value>
    /// Rows of a new transformer's position table (the longest input it can ever read, saved as <c>max_position_embeddings</c> /
    /// <c>n_positions</c>), separate from <see cref="MaxLength"/>: a model can have 512 positions and truncate at 128. Null gives
    /// the preset's <see cref="BackbonePreset.MaxPositions"/>, grown to <see cref="MaxLength"/> when that is longer. Ignored by the
    /// <c>bag</c> (no positions) and by a pretrained directory (its own). Default null.
    /// </value>
    public int? MaxPositions { get; set; }

    /// <value>Size of the WordPiece vocabulary trained on the training texts when a transformer backbone starts from scratch; null gives the preset's <see cref="BackbonePreset.VocabularySize"/> (8000). Default null.</value>
    public int? VocabularySize { get; set; }

    /// <value>Width of the <c>bag</c> backbone's embeddings; null gives the preset's <see cref="BackbonePreset.HiddenSize"/> (64). Default null.</value>
    public int? BagDimension { get; set; }

    /// <value>Hash buckets of the <c>bag</c> backbone's tokenizer (its embedding rows); null gives the preset's <see cref="BackbonePreset.VocabularySize"/> (2^18). Default null.</value>
    public int? BagBuckets { get; set; }

    /// <value>Longest word n-gram the <c>bag</c> backbone's tokenizer hashes (1 = words only, 2 = words and bigrams); null gives <see cref="Tokenization.HashingTokenizerOptions.WordNgrams"/>' default (2). Default null.</value>
    public int? BagWordNgrams { get; set; }

    /// <value>Options of a fresh head (dropout, pooling, …); null gives the defaults (transformers pool the mean of their token states). Default null.</value>
    public Heads.HeadOptions? HeadOptions { get; set; }

    /// <value>Seed for the initial weights (torch's global generator is seeded with it). Default 42.</value>
    public int Seed { get; set; } = 42;
}
