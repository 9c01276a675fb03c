namespace LlmFineTune.Modeling.Backbones;

/// <summary>The shape of a <see cref="CausalDecoder"/>, field for field Hugging Face's <c>GPT2Config</c>.</summary>
public sealed class CausalDecoderConfig
{
    /// <value>Rows of the token embedding table. Default 50257.</value>
    public int VocabSize { get; set; } = 50257;

    /// <value>Longest input (HF <c>n_positions</c>). Default 1024.</value>
    public int NPositions { get; set; } = 1024;

    /// <value>Width of every token state (HF <c>n_embd</c>). Default 768.</value>
    public int NEmbd { get; set; } = 768;

    /// <value>Decoder layers (HF <c>n_layer</c>). Default 12.</value>
    public int NLayer { get; set; } = 12;

    /// <value>Attention heads (HF <c>n_head</c>); must divide <see cref="NEmbd"/>. Default 12.</value>
    public int NHead { get; set; } = 12;

    /// <value>Feed-forward width (HF <c>n_inner</c>), or null for 4 × <see cref="NEmbd"/>. Default null.</value>
    public int? NInner { get; set; }

    /// <value>Feed-forward activation: <c>gelu_new</c> (tanh approximation), <c>gelu</c> or <c>relu</c>. Default <c>gelu_new</c>.</value>
    public string ActivationFunction { get; set; } = "gelu_new";

    /// <value>Dropout on sublayer outputs (HF <c>resid_pdrop</c>). Default 0.1.</value>
    public double ResidPdrop { get; set; } = 0.1;

    /// <value>Dropout on embeddings (HF <c>embd_pdrop</c>). Default 0.1.</value>
    public double EmbdPdrop { get; set; } = 0.1;

    /// <value>Dropout on attention probabilities (HF <c>attn_pdrop</c>). Default 0.1.</value>
    public double AttnPdrop { get; set; } = 0.1;

    /// <value>LayerNorm epsilon (HF <c>layer_norm_epsilon</c>). Default 1e-5.</value>
    public double LayerNormEpsilon { get; set; } = 1e-5;

    /// <value>Standard deviation of the normal initialisation. Default 0.02.</value>
    public double InitializerRange { get; set; } = 0.02;

    // The three token ids are metadata the decoder never reads, so they are not range-checked:
    // HF's GPT2Config keeps 50256 as their default even in configs with a smaller vocabulary.

    /// <value>Id of the token that starts a text (HF <c>bos_token_id</c>), or null when unknown. Default null.</value>
    public int? BosTokenId { get; set; }

    /// <value>Id of the token that ends a text (HF <c>eos_token_id</c>), or null when unknown. Default null.</value>
    public int? EosTokenId { get; set; }

    /// <value>
    /// Id of the padding token (HF <c>pad_token_id</c>), or null (GPT-2 has none). Metadata here, but Hugging Face's
    /// <c>GPT2ForSequenceClassification</c> needs it to find each row's last real token. Default null.
    /// </value>
    public int? PadTokenId { get; set; }

    /// <summary>The feed-forward width in use.</summary>
    public int InnerSize => NInner ?? 4 * NEmbd;

    /// <summary>The names <see cref="Preset"/> accepts: the <c>gpt2-*</c> entries of <see cref="ModelPresets"/>.</summary>
    public static IReadOnlyList<string> PresetNames { get; } = [.. ModelPresets.OfKind(CausalDecoder.KindName).Select(p => p.Name)];

    /// <summary>
    /// A named size from <see cref="ModelPresets"/>, the same as the encoder preset with the same suffix: <c>gpt2-tiny</c> (2 layers / 128 wide / 2 heads),
    /// <c>gpt2-mini</c> (4/256/4), <c>gpt2-small</c> (4/512/8) or <c>gpt2-base</c> (12/768/12, the shape of OpenAI's smallest GPT-2).
    /// </summary>
    /// <param name="name">One of <see cref="PresetNames"/>.</param>
    /// <param name="vocabSize">The tokenizer's vocabulary size.</param>
    /// <returns>A new config; the feed-forward width is 4 × n_embd and <see cref="NPositions"/> is GPT-2's 1024.</returns>
    /// <exception cref="ArgumentException">Unknown name.</exception>
    public static CausalDecoderConfig Preset(string name, int vocabSize)
    {
        ArgumentNullException.ThrowIfNull(name);
        var preset = ModelPresets.Find(name) is { Kind: CausalDecoder.KindName } found ? found
            : throw new ArgumentException($"Unknown preset '{name}'. Valid presets: {string.Join(", ", PresetNames)}.", nameof(name));
        return preset.DecoderConfig(vocabSize);
    }

    /// <summary>A copy (every field is a value).</summary>
    internal CausalDecoderConfig Clone() => (CausalDecoderConfig)MemberwiseClone();

    /// <summary>Checks every field.</summary>
    /// <exception cref="ArgumentOutOfRangeException">A field is out of range; the message names it (HF key).</exception>
    public void Validate()
    {
        foreach (var (value, field) in new[] { (VocabSize, "vocab_size"), (NPositions, "n_positions"), (NEmbd, "n_embd"), (NLayer, "n_layer"), (NHead, "n_head"), (InnerSize, "n_inner") })
            if (value < 1)
                throw new ArgumentOutOfRangeException(field, value, $"{field} must be at least 1 (was {value}).");
        if (NEmbd % NHead != 0)
            throw new ArgumentOutOfRangeException("n_head", NHead, $"n_embd ({NEmbd}) must be a multiple of n_head ({NHead}).");
        if (ActivationFunction is not ("gelu_new" or "gelu" or "relu"))
            throw new ArgumentOutOfRangeException("activation_function", ActivationFunction, "activation_function must be 'gelu_new', 'gelu' or 'relu'.");
        foreach (var (value, field) in new[] { (ResidPdrop, "resid_pdrop"), (EmbdPdrop, "embd_pdrop"), (AttnPdrop, "attn_pdrop") })
            if (!(value >= 0 && value < 1))
                throw new ArgumentOutOfRangeException(field, value, $"{field} must be in [0, 1) (was {value}).");
        if (!(LayerNormEpsilon > 0) || !(InitializerRange > 0))
            throw new ArgumentOutOfRangeException(LayerNormEpsilon > 0 ? "initializer_range" : "layer_norm_epsilon", "layer_norm_epsilon and initializer_range must be positive.");
    }
}
