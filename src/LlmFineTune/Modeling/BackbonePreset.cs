using LlmFineTune.Modeling.Backbones;
using LlmFineTune.Tokenization;

namespace LlmFineTune.Modeling;

/// <summary>
/// One named backbone of <see cref="ModelPresets"/>: its architecture and sizes, the tokenizer a new model of it learns,
/// its position table and the length it truncates texts to. The library, DI and the CLI build a name from this entry alone.
/// </summary>
public sealed class BackbonePreset
{
    internal BackbonePreset(string name, string kind, int layers, int hiddenSize, int attentionHeads, string tokenizer, int vocabularySize, int? maxPositions, int maxLength)
    {
        Name = name;
        Kind = kind;
        Layers = layers;
        HiddenSize = hiddenSize;
        AttentionHeads = attentionHeads;
        Tokenizer = tokenizer;
        VocabularySize = vocabularySize;
        MaxPositions = maxPositions;
        MaxLength = maxLength;
    }

    /// <summary>The name (<c>bag</c>, <c>bert-mini</c>, <c>gpt2-tiny</c>, …).</summary>
    public string Name { get; }

    /// <summary>The architecture, the <see cref="IBackbone.Kind"/> of what it builds: <c>bag</c>, <c>bert</c> or <c>gpt2</c>.</summary>
    public string Kind { get; }

    /// <summary>Transformer layers; 0 for the bag.</summary>
    public int Layers { get; }

    /// <summary>Width of the token states (the bag's embedding width).</summary>
    public int HiddenSize { get; }

    /// <summary>Attention heads per layer; 0 for the bag.</summary>
    public int AttentionHeads { get; }

    /// <summary>Width of the feed-forward block: 4 × <see cref="HiddenSize"/> as in the published models; 0 for the bag.</summary>
    public int IntermediateSize => Layers == 0 ? 0 : 4 * HiddenSize;

    /// <summary>The tokenizer a new model learns: <c>hashing</c> (the bag) or <c>wordpiece</c> (trained on the training texts).</summary>
    public string Tokenizer { get; }

    /// <summary>Rows of the embedding table of a new model: WordPiece pieces, or the bag's hash buckets.</summary>
    public int VocabularySize { get; }

    /// <summary>Rows of the position table (BERT's <c>max_position_embeddings</c>, GPT-2's <c>n_positions</c>); null for the bag, which has none.</summary>
    public int? MaxPositions { get; }

    /// <summary>Most tokens per text a new classifier keeps (its truncation length; at most <see cref="MaxPositions"/>).</summary>
    public int MaxLength { get; }

    /// <summary>The name.</summary>
    /// <returns><see cref="Name"/>.</returns>
    public override string ToString() => Name;

    /// <summary>Position-table rows for a model truncating at <paramref name="maxLength"/>: <paramref name="maxPositions"/> when given, else the preset's, grown to the length when that is longer.</summary>
    /// <exception cref="ArgumentOutOfRangeException">The length exceeds the given positions, or leaves a transformer no room for a word.</exception>
    internal int? PositionsFor(int maxLength, int? maxPositions)
    {
        RequireRoomForText(Name, maxLength);
        if (MaxPositions is not { } preset)
            return null;
        if (maxPositions is { } given && given < maxLength)
            throw new ArgumentOutOfRangeException("MaxPositions", given, $"MaxPositions {given} is less than MaxLength {maxLength}: a {Name} model cannot read past its position table. Raise MaxPositions or lower MaxLength.");
        return maxPositions ?? Math.Max(preset, maxLength);
    }

    /// <summary>Transformers spend two positions on [CLS] and [SEP] (or BOS/EOS); a shorter length leaves no room for a word.</summary>
    internal const int ShortestTransformerLength = 3;

    /// <summary>Refuses a truncation length that leaves a transformer (any backbone but the bag) no position for a real token.</summary>
    /// <param name="backbone">The backbone's name (a preset, or <c>bert</c> / <c>gpt2</c> for another size).</param>
    /// <param name="maxLength">The truncation length.</param>
    /// <exception cref="ArgumentOutOfRangeException">It does.</exception>
    internal static void RequireRoomForText(string backbone, int maxLength)
    {
        if (maxLength < 1 || (backbone != BagOfNgrams.KindName && maxLength < ShortestTransformerLength))
            throw new ArgumentOutOfRangeException("MaxLength", maxLength, backbone == BagOfNgrams.KindName
                ? $"MaxLength must be at least 1 (was {maxLength})."
                : $"MaxLength {maxLength} leaves the {backbone} backbone no room for a word beside its two special tokens; use at least {ShortestTransformerLength} (the default is {ModelPresets.TransformerMaxLength}).");
    }

    /// <summary>The encoder config of a <c>bert</c> preset for a vocabulary.</summary>
    internal BertBackboneConfig EncoderConfig(int vocabSize) => new()
    {
        VocabSize = vocabSize,
        HiddenSize = HiddenSize,
        NumHiddenLayers = Layers,
        NumAttentionHeads = AttentionHeads,
        IntermediateSize = IntermediateSize,
        MaxPositionEmbeddings = MaxPositions!.Value,
    };

    /// <summary>The decoder config of a <c>gpt2</c> preset for a vocabulary.</summary>
    internal CausalDecoderConfig DecoderConfig(int vocabSize) => new()
    {
        VocabSize = vocabSize,
        NEmbd = HiddenSize,
        NLayer = Layers,
        NHead = AttentionHeads,
        NInner = IntermediateSize,
        NPositions = MaxPositions!.Value,
    };

    /// <summary>
    /// An untrained backbone of this preset, sized to a tokenizer's vocabulary and to <paramref name="positions"/> (from
    /// <see cref="PositionsFor"/>; ignored by the bag), with every dropout at <paramref name="dropout"/> (null keeps the config's),
    /// the bag <paramref name="bagDimension"/> wide (null keeps <see cref="HiddenSize"/>).
    /// </summary>
    internal IBackbone Create(ITokenizer tokenizer, int? positions, int? bagDimension = null, double? dropout = null)
    {
        ArgumentNullException.ThrowIfNull(tokenizer);
        if (Kind == BagOfNgrams.KindName)
            return new BagOfNgrams(tokenizer.VocabularySize, bagDimension ?? HiddenSize);
        if (Kind == BertBackbone.KindName)
        {
            var config = EncoderConfig(tokenizer.VocabularySize);
            config.MaxPositionEmbeddings = positions ?? config.MaxPositionEmbeddings;
            config.PadTokenId = tokenizer.PadId;
            if (dropout is { } p)
                config.HiddenDropoutProb = config.AttentionProbsDropoutProb = p;
            return new BertBackbone(config);
        }
        var decoderConfig = DecoderConfig(tokenizer.VocabularySize);
        decoderConfig.NPositions = positions ?? decoderConfig.NPositions;
        // WordPiece's [CLS] and [SEP] open and close every text, so they are the decoder's bos and eos.
        decoderConfig.BosTokenId = tokenizer.Special.Classification ?? tokenizer.Special.EndOfText;
        decoderConfig.EosTokenId = tokenizer.Special.Separator ?? tokenizer.Special.EndOfText;
        decoderConfig.PadTokenId = tokenizer.PadId;
        if (dropout is { } q)
            decoderConfig.ResidPdrop = decoderConfig.EmbdPdrop = decoderConfig.AttnPdrop = q;
        return new CausalDecoder(decoderConfig);
    }
}
