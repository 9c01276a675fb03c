using LlmFineTune.Runtime;
using TorchSharp.Modules;
using static TorchSharp.torch;
using static TorchSharp.torch.nn;

namespace LlmFineTune.Modeling.Backbones;

/// <summary>
/// A GPT-2 style decoder with the maths and parameter names of Hugging Face's <c>GPT2Model</c>
/// (<c>wte</c>, <c>wpe</c>, pre-LN blocks <c>h.N</c>, <c>ln_f</c>): each token attends only to itself
/// and earlier tokens. For causal-LM pretraining; as a classifier backbone its pooled vector is the
/// last real token's state, as in HF's <c>GPT2ForSequenceClassification</c>.
/// </summary>
public sealed class CausalDecoder : Module<Tensor, Tensor, Tensor>, IBackbone
{
    /// <summary>The <see cref="IBackbone.Kind"/> of this backbone (also HF's <c>model_type</c>).</summary>
    public const string KindName = "gpt2";

    private readonly Embedding wte;
    private readonly Embedding wpe;
    private readonly Dropout drop;
    private readonly ModuleList<Gpt2Block> h;
    private readonly LayerNorm ln_f;

    /// <summary>Creates a decoder initialised as HF does.</summary>
    /// <param name="config">The shape; validated here.</param>
    /// <exception cref="ArgumentOutOfRangeException">A config field is out of range.</exception>
    public CausalDecoder(CausalDecoderConfig config) : base(nameof(CausalDecoder))
    {
        ArgumentNullException.ThrowIfNull(config);
        config.Validate();
        Runtime.TorchRuntime.EnsureAvailable();
        Config = config.Clone();
        wte = Embedding(Config.VocabSize, Config.NEmbd);
        wpe = Embedding(Config.NPositions, Config.NEmbd);
        drop = Dropout(Config.EmbdPdrop);
        h = new ModuleList<Gpt2Block>(Enumerable.Range(0, Config.NLayer).Select(_ => new Gpt2Block(Config)).ToArray());
        ln_f = LayerNorm(Config.NEmbd, Config.LayerNormEpsilon);
        RegisterComponents();
        using var noGrad = no_grad();
        init.normal_(wte.weight!, 0, config.InitializerRange);
        init.normal_(wpe.weight!, 0, config.InitializerRange);
    }

    /// <summary>The shape (a copy; changing it does not change the model).</summary>
    public CausalDecoderConfig Config { get; }

    /// <inheritdoc />
    public string Kind => KindName;

    /// <inheritdoc />
    public int HiddenSize => Config.NEmbd;

    /// <inheritdoc />
    public int VocabularySize => Config.VocabSize;

    /// <inheritdoc />
    public int? MaxPositions => Config.NPositions;

    /// <summary>The token embedding table <c>[vocab, embd]</c>; the LM head shares it.</summary>
    public Parameter TokenEmbeddings => wte.weight!;

    /// <inheritdoc />
    /// <remarks>Pooled is the state of each row's last real token.</remarks>
    public BackboneOutput Forward(Tensor inputIds, Tensor attentionMask)
    {
        var states = forward(inputIds, attentionMask);
        using var last = attentionMask.sum(1).sub_(Scalars.One).clamp_min_(Scalars.Zero);
        using var rows = arange(inputIds.shape[0], device: inputIds.device);
        return new BackboneOutput(attentionMask, states, states[rows, last]);
    }

    /// <summary>The final (ln_f) token states.</summary>
    /// <param name="inputIds">int64 <c>[batch, seq]</c>, seq at most <c>n_positions</c>.</param>
    /// <param name="attentionMask">1 for real tokens, 0 for padding; <c>[batch, seq]</c>.</param>
    /// <returns><c>[batch, seq, embd]</c>.</returns>
    /// <exception cref="ArgumentException">The sequence is longer than the position table.</exception>
    public override Tensor forward(Tensor inputIds, Tensor attentionMask)
    {
        long batch = inputIds.shape[0], seq = inputIds.shape[1];
        if (seq > Config.NPositions)
            throw new ArgumentException($"Sequence length {seq} exceeds n_positions {Config.NPositions}. Lower the model's max length.", nameof(inputIds));
        using var scope = NewDisposeScope();
        var positions = arange(seq, dtype: ScalarType.Int64, device: inputIds.device).unsqueeze(0);
        var states = drop.call(wte.call(inputIds) + wpe.call(positions));
        // Causal and padding masks in one additive mask; clamped so that a fully masked (padding) row stays finite.
        var causal = ones(seq, seq, dtype: ScalarType.Bool, device: inputIds.device).tril().logical_not();
        var blocked = causal.view(1, 1, seq, seq).logical_or(attentionMask.eq(Scalars.Zero).view(batch, 1, 1, seq));
        var additive = zeros(blocked.shape, device: inputIds.device).masked_fill(blocked, Scalars.LowestFloat);
        foreach (var block in h)
            states = block.call(states, additive);
        return ln_f.call(states).MoveToOuterDisposeScope();
    }

    /// <inheritdoc />
    /// <remarks>Embeddings first, then one group per block; the final LayerNorm joins the last block's group.</remarks>
    public IReadOnlyList<IReadOnlyList<Parameter>> LayerGroups()
    {
        var groups = new List<IReadOnlyList<Parameter>> { wte.parameters().Concat(wpe.parameters()).ToList() };
        foreach (var block in h)
            groups.Add(block.parameters().ToList());
        groups[^1] = [.. groups[^1], .. ln_f.parameters()];
        return groups;
    }
}
