namespace LlmFineTune.Modeling.Backbones;

/// <summary>
/// The shape of a <see cref="BertBackbone"/>, field for field Hugging Face's <c>BertConfig</c>
/// (saved in <c>config.json</c> under the same snake_case keys).
/// </summary>
public sealed class BertBackboneConfig
{
    /// <value>Rows of the word embedding table (the tokenizer's vocabulary size). Default 30522.</value>
    public int VocabSize { get; set; } = 30522;

    /// <value>Width of every token state. Default 768.</value>
    public int HiddenSize { get; set; } = 768;

    /// <value>Encoder layers. Default 12.</value>
    public int NumHiddenLayers { get; set; } = 12;

    /// <value>Attention heads per layer; must divide <see cref="HiddenSize"/>. Default 12.</value>
    public int NumAttentionHeads { get; set; } = 12;

    /// <value>Width of the feed-forward block. Default 3072.</value>
    public int IntermediateSize { get; set; } = 3072;

    /// <value>Feed-forward activation: <c>gelu</c> (erf), <c>gelu_new</c> (tanh approximation) or <c>relu</c>. Default <c>gelu</c>.</value>
    public string HiddenAct { get; set; } = "gelu";

    /// <value>Dropout on embeddings and sublayer outputs. Default 0.1.</value>
    public double HiddenDropoutProb { get; set; } = 0.1;

    /// <value>Dropout on attention probabilities. Default 0.1.</value>
    public double AttentionProbsDropoutProb { get; set; } = 0.1;

    /// <value>Longest input (rows of the position table). Default 512.</value>
    public int MaxPositionEmbeddings { get; set; } = 512;

    /// <value>Segment (token type) count. Default 2.</value>
    public int TypeVocabSize { get; set; } = 2;

    /// <value>LayerNorm epsilon. Default 1e-12.</value>
    public double LayerNormEps { get; set; } = 1e-12;

    /// <value>Standard deviation of the normal initialisation. Default 0.02.</value>
    public double InitializerRange { get; set; } = 0.02;

    /// <value>Id of the padding token (HF <c>pad_token_id</c>). Default 0.</value>
    public int PadTokenId { get; set; }

    /// <summary>The names <see cref="Preset"/> accepts: the <c>bert-*</c> entries of <see cref="ModelPresets"/>.</summary>
    public static IReadOnlyList<string> PresetNames { get; } = [.. ModelPresets.OfKind(BertBackbone.KindName).Select(p => p.Name)];

    /// <summary>A named size from <see cref="ModelPresets"/>: <c>bert-tiny</c> (2 layers / 128 wide / 2 heads), <c>bert-mini</c> (4/256/4), <c>bert-small</c> (4/512/8) or <c>bert-base</c> (12/768/12).</summary>
    /// <param name="name">One of <see cref="PresetNames"/>.</param>
    /// <param name="vocabSize">The tokenizer's vocabulary size.</param>
    /// <returns>A new config; the feed-forward width is 4 × hidden, as in the published models, and the position table the preset's.</returns>
    /// <exception cref="ArgumentException">Unknown name.</exception>
    public static BertBackboneConfig Preset(string name, int vocabSize)
    {
        ArgumentNullException.ThrowIfNull(name);
        var preset = ModelPresets.Find(name) is { Kind: BertBackbone.KindName } found ? found
            : throw new ArgumentException($"Unknown preset '{name}'. Valid presets: {string.Join(", ", PresetNames)}.", nameof(name));
        return preset.EncoderConfig(vocabSize);
    }

    /// <summary>Checks every field.</summary>
    /// <exception cref="ArgumentOutOfRangeException">A field is out of range; the message names it (HF key) and the fix.</exception>
    public void Validate()
    {
        AtLeast(VocabSize, 2, "vocab_size");
        AtLeast(HiddenSize, 1, "hidden_size");
        AtLeast(NumHiddenLayers, 1, "num_hidden_layers");
        AtLeast(NumAttentionHeads, 1, "num_attention_heads");
        AtLeast(IntermediateSize, 1, "intermediate_size");
        AtLeast(MaxPositionEmbeddings, 1, "max_position_embeddings");
        AtLeast(TypeVocabSize, 1, "type_vocab_size");
        if (HiddenSize % NumAttentionHeads != 0)
            throw new ArgumentOutOfRangeException("num_attention_heads", NumAttentionHeads, $"hidden_size ({HiddenSize}) must be a multiple of num_attention_heads ({NumAttentionHeads}).");
        if (HiddenAct is not ("gelu" or "gelu_new" or "relu"))
            throw new ArgumentOutOfRangeException("hidden_act", HiddenAct, "hidden_act must be 'gelu', 'gelu_new' or 'relu'.");
        Probability(HiddenDropoutProb, "hidden_dropout_prob");
        Probability(AttentionProbsDropoutProb, "attention_probs_dropout_prob");
        if (!(LayerNormEps > 0) || !(InitializerRange > 0))
            throw new ArgumentOutOfRangeException(LayerNormEps > 0 ? "initializer_range" : "layer_norm_eps", "layer_norm_eps and initializer_range must be positive.");
        if ((uint)PadTokenId >= (uint)VocabSize)
            throw new ArgumentOutOfRangeException("pad_token_id", PadTokenId, $"pad_token_id must be in [0, {VocabSize - 1}] (vocab_size {VocabSize}).");
    }

    /// <summary>A copy (every field is a value).</summary>
    internal BertBackboneConfig Clone() => (BertBackboneConfig)MemberwiseClone();

    private static void AtLeast(int value, int minimum, string field)
    {
        if (value < minimum)
            throw new ArgumentOutOfRangeException(field, value, $"{field} must be at least {minimum} (was {value}).");
    }

    private static void Probability(double value, string field)
    {
        if (!(value >= 0 && value < 1))
            throw new ArgumentOutOfRangeException(field, value, $"{field} must be in [0, 1) (was {value}).");
    }
}
