using LlmFineTune.Runtime;
using TorchSharp.Modules;
using static TorchSharp.torch;
using static TorchSharp.torch.nn;

namespace LlmFineTune.Modeling.Backbones;

/// <summary>
/// A BERT encoder with the same maths and parameter names as Hugging Face's <c>BertModel</c>:
/// word + position + token-type embeddings, post-LN layers with exact (erf) GELU, and the tanh
/// pooler over the first token. Its <c>state_dict</c> keys are HF's without the <c>bert.</c> prefix.
/// </summary>
public sealed class BertBackbone : Module<Tensor, Tensor, Tensor>, IBackbone
{
    /// <summary>The <see cref="IBackbone.Kind"/> of this backbone (also HF's <c>model_type</c>).</summary>
    public const string KindName = "bert";

    private readonly BertEmbeddings embeddings;
    private readonly BertLayerStack encoder;
    private readonly BertPooler pooler;

    /// <summary>Creates an encoder initialised as HF does: normal(0, initializer_range) weights, zero biases, unit LayerNorms, zero padding row.</summary>
    /// <param name="config">The shape; validated here and copied.</param>
    /// <exception cref="ArgumentOutOfRangeException">A config field is out of range.</exception>
    public BertBackbone(BertBackboneConfig config) : base(nameof(BertBackbone))
    {
        ArgumentNullException.ThrowIfNull(config);
        config.Validate();
        Runtime.TorchRuntime.EnsureAvailable();
        Config = config.Clone();
        embeddings = new BertEmbeddings(Config);
        encoder = new BertLayerStack(Config);
        pooler = new BertPooler(Config);
        RegisterComponents();
        Initialize();
    }

    /// <summary>The shape (a copy; changing it does not change the model).</summary>
    public BertBackboneConfig Config { get; }

    /// <inheritdoc />
    public string Kind => KindName;

    /// <inheritdoc />
    public int HiddenSize => Config.HiddenSize;

    /// <inheritdoc />
    public int VocabularySize => Config.VocabSize;

    /// <inheritdoc />
    public int? MaxPositions => Config.MaxPositionEmbeddings;

    /// <summary>The word embedding table <c>[vocab, hidden]</c>; the masked-LM decoder shares it.</summary>
    public Parameter WordEmbeddings => embeddings.WordEmbeddings;

    /// <summary>
    /// Whether <see cref="Forward"/> returns the pooler's vector (dense + tanh over [CLS], as HF's
    /// BertForSequenceClassification uses it). Turn off when the pooler was never trained (MLM-only
    /// pretraining) so that the head pools the token states itself.
    /// </summary>
    /// <value>Default true.</value>
    public bool UsePooler { get; set; } = true;

    /// <inheritdoc />
    /// <remarks>Token states are the last layer's <c>[batch, seq, hidden]</c>; pooled is the pooler's <c>[batch, hidden]</c>, or null when <see cref="UsePooler"/> is off.</remarks>
    public BackboneOutput Forward(Tensor inputIds, Tensor attentionMask) => Output(Encode(inputIds, attentionMask, lastLayerFirstTokenOnly: false), attentionMask);

    /// <summary>
    /// <see cref="Forward"/> for a reader of the first ([CLS]) position alone (the pooler, or CLS pooling): the last
    /// layer computes that position only, so the token states are <c>[batch, 1, hidden]</c>. Its keys and values
    /// still come from every position, so the [CLS] state is the full pass's.
    /// </summary>
    internal BackboneOutput ForwardFirstToken(Tensor inputIds, Tensor attentionMask) =>
        Output(Encode(inputIds, attentionMask, lastLayerFirstTokenOnly: true), attentionMask);

    private BackboneOutput Output(Tensor states, Tensor attentionMask) =>
        new(attentionMask, states, UsePooler ? pooler.call(states) : null);

    /// <summary>The last layer's token states.</summary>
    /// <param name="inputIds">int64 <c>[batch, seq]</c>, seq at most <c>max_position_embeddings</c>.</param>
    /// <param name="attentionMask">1 for real tokens, 0 for padding; <c>[batch, seq]</c>.</param>
    /// <returns><c>[batch, seq, hidden]</c>.</returns>
    /// <exception cref="ArgumentException">The sequence is longer than the position table or an id is outside the vocabulary.</exception>
    public override Tensor forward(Tensor inputIds, Tensor attentionMask) => Encode(inputIds, attentionMask, lastLayerFirstTokenOnly: false);

    private Tensor Encode(Tensor inputIds, Tensor attentionMask, bool lastLayerFirstTokenOnly)
    {
        if (inputIds.dim() != 2 || !inputIds.shape.SequenceEqual(attentionMask.shape))
            throw new ArgumentException($"Expected ids and mask of the same shape [batch, seq]; got [{string.Join(", ", inputIds.shape)}] and [{string.Join(", ", attentionMask.shape)}].", nameof(inputIds));
        if (inputIds.shape[1] > Config.MaxPositionEmbeddings)
            throw new ArgumentException($"Sequence length {inputIds.shape[1]} exceeds max_position_embeddings {Config.MaxPositionEmbeddings}. Lower the model's max length.", nameof(inputIds));
        using var scope = NewDisposeScope();
        var states = encoder.Run(embeddings.call(inputIds), AdditiveMask(attentionMask), lastLayerFirstTokenOnly);
        return states.MoveToOuterDisposeScope();
    }

    /// <summary>The embedding block's output <c>[batch, seq, hidden]</c> (word + position + type, LayerNorm, dropout); ELECTRA's generator reads it too.</summary>
    internal Tensor Embed(Tensor inputIds) => embeddings.call(inputIds);

    /// <summary>HF's extended attention mask <c>[batch, 1, 1, seq]</c>: 0 where attended, the dtype's minimum where padded.</summary>
    internal static Tensor AdditiveMask(Tensor attentionMask)
    {
        using var scope = NewDisposeScope();
        return attentionMask.eq(Scalars.Zero).to_type(ScalarType.Float32).mul_(Scalars.LowestFloat).view(attentionMask.shape[0], 1, 1, attentionMask.shape[1]).MoveToOuterDisposeScope();
    }

    /// <inheritdoc />
    /// <remarks>Embeddings first, then one group per encoder layer; the pooler joins the last layer's group.</remarks>
    public IReadOnlyList<IReadOnlyList<Parameter>> LayerGroups()
    {
        var groups = new List<IReadOnlyList<Parameter>> { embeddings.parameters().ToList() };
        foreach (var layer in encoder.Layers)
            groups.Add(layer.parameters().ToList());
        groups[^1] = [.. groups[^1], .. pooler.parameters()];
        return groups;
    }

    private void Initialize()
    {
        Initialize(this, Config.InitializerRange);
        using var noGrad = no_grad();
        WordEmbeddings[Config.PadTokenId].zero_();
    }

    /// <summary>HF's BERT initialisation of any module named as HF names BERT's parts: unit LayerNorms, zero biases, normal(0, <paramref name="initializerRange"/>) otherwise.</summary>
    internal static void Initialize(Module module, double initializerRange)
    {
        using var noGrad = no_grad();
        foreach (var (name, parameter) in module.named_parameters())
        {
            if (name.EndsWith("LayerNorm.weight", StringComparison.Ordinal))
                parameter.fill_(1);
            else if (name.EndsWith("bias", StringComparison.Ordinal))
                parameter.zero_();
            else
                init.normal_(parameter, 0, initializerRange);
        }
    }
}
