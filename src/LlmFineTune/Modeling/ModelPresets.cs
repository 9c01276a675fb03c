using LlmFineTune.Modeling.Backbones;
using LlmFineTune.Tokenization;

namespace LlmFineTune.Modeling;

/// <summary>
/// The catalogue of named backbones: <c>bag</c>, the BERT encoders <c>bert-*</c> and the GPT-2 decoders <c>gpt2-*</c>
/// (the same four sizes). <see cref="ClassifierFactory"/>, <c>AddLlmFineTune</c> and <c>llmft --backbone</c> all build a
/// name from its entry here, so the same name is the same model through every door (docs/presets.md lists them).
/// </summary>
/// <remarks>Recommended training settings for each name are a training concern: <c>TrainerOptions.Recommended</c>.</remarks>
public static class ModelPresets
{
    /// <summary>The name of the <c>hashing</c> tokenizer (the bag's).</summary>
    internal const string HashingTokenizer = "hashing";

    /// <summary>The name of the <c>wordpiece</c> tokenizer (trained on the training texts; the transformers').</summary>
    internal const string WordPieceTokenizer = "wordpiece";

    /// <summary>
    /// WordPiece pieces a new transformer learns: small corpora (thousands of texts) fill 8,000 pieces with whole words
    /// and frequent pieces, and a smaller embedding table trains faster on CPU than BERT's 30,522.
    /// </summary>
    internal const int WordPieceVocabularySize = 8000;

    /// <summary>The bag's embedding width, as tuned in docs/defaults.md.</summary>
    private const int BagDimension = 64;

    /// <summary>Texts of labeled sets are short; 256 n-gram ids keep nearly all of them whole for the bag, which costs nothing per position.</summary>
    private const int BagMaxLength = 256;

    /// <summary>128 tokens cover most classification texts, and attention costs the square of the length on CPU.</summary>
    internal const int TransformerMaxLength = 128;

    /// <summary>
    /// A model trained from scratch gets as many positions as it reads (not BERT's 512 or GPT-2's 1024): positions past the
    /// truncation length never train, and the models' measured sizes and scores assume this table. A longer
    /// <c>MaxLength</c> grows it; <c>MaxPositions</c> sets it apart from truncation.
    /// </summary>
    private const int EncoderPositions = TransformerMaxLength, DecoderPositions = TransformerMaxLength;

    /// <summary>The bag of n-grams: a hashing tokenizer (words and bigrams into 2^18 buckets) and a 64-wide embedding mean.</summary>
    public static BackbonePreset Bag { get; } = new(BagOfNgrams.KindName, BagOfNgrams.KindName, layers: 0, BagDimension, attentionHeads: 0,
        HashingTokenizer, new HashingTokenizerOptions().Buckets, maxPositions: null, BagMaxLength);

    /// <summary>Every preset: <c>bag</c>, then <c>bert-tiny</c> … <c>bert-base</c>, then <c>gpt2-tiny</c> … <c>gpt2-base</c>.</summary>
    public static IReadOnlyList<BackbonePreset> All { get; } = [Bag, .. Transformers(BertBackbone.KindName, EncoderPositions), .. Transformers(CausalDecoder.KindName, DecoderPositions)];

    /// <summary>The names of <see cref="All"/>, in the same order.</summary>
    public static IReadOnlyList<string> Names { get; } = [.. All.Select(p => p.Name)];

    /// <summary>The preset of a name.</summary>
    /// <param name="name">One of <see cref="Names"/>.</param>
    /// <returns>The preset.</returns>
    /// <exception cref="ArgumentException">Unknown name; the message lists the known ones.</exception>
    public static BackbonePreset Get(string name)
    {
        ArgumentNullException.ThrowIfNull(name);
        return Find(name) ?? throw new ArgumentException($"Unknown backbone '{name}'. Known: {string.Join(", ", Names)}.", nameof(name));
    }

    /// <summary>The preset of a name, or null.</summary>
    internal static BackbonePreset? Find(string? name) => All.FirstOrDefault(p => string.Equals(p.Name, name, StringComparison.Ordinal));

    /// <summary>The presets of one architecture (<c>bert</c> or <c>gpt2</c>).</summary>
    internal static IEnumerable<BackbonePreset> OfKind(string kind) => All.Where(p => p.Kind == kind);

    /// <summary>
    /// The four sizes, one table for both architectures (gpt2-X has bert-X's shape): <c>tiny</c> (2 layers / 128 wide / 2 heads),
    /// <c>mini</c> (4/256/4), <c>small</c> (4/512/8) and <c>base</c> (12/768/12, BERT-base's and OpenAI's smallest GPT-2's shape).
    /// </summary>
    private static IEnumerable<BackbonePreset> Transformers(string kind, int positions) =>
        new (string Size, int Layers, int Hidden, int Heads)[] { ("tiny", 2, 128, 2), ("mini", 4, 256, 4), ("small", 4, 512, 8), ("base", 12, 768, 12) }
            .Select(s => new BackbonePreset($"{kind}-{s.Size}", kind, s.Layers, s.Hidden, s.Heads, WordPieceTokenizer, WordPieceVocabularySize, positions, TransformerMaxLength));
}
