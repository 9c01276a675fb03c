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

    /// <summary>The feed-forward width in use.</summary>
    public int InnerSize => NInner ?? 4 * NEmbd;

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
