using LlmFineTune.Runtime;
using TorchSharp;
using TorchSharp.Modules;
using TorchSharp.Utils;
using static TorchSharp.torch;
using static TorchSharp.torch.nn;
using F = TorchSharp.torch.nn.functional;

namespace LlmFineTune.Modeling.Backbones;

// The parts of Hugging Face's BertModel. Field names are the HF state-dict names, so that
// BertBackbone.state_dict() keys equal HF's keys minus the "bert." prefix.

/// <summary>Word + position + token-type embeddings, then LayerNorm and dropout.</summary>
internal sealed class BertEmbeddings : Module<Tensor, Tensor>
{
    private readonly Embedding word_embeddings;
    private readonly Embedding position_embeddings;
    private readonly Embedding token_type_embeddings;
    [ComponentName(Name = "LayerNorm")]
    private readonly LayerNorm layerNorm;
    private readonly Dropout dropout;

    public BertEmbeddings(BertBackboneConfig config) : base("embeddings")
    {
        word_embeddings = Embedding(config.VocabSize, config.HiddenSize, padding_idx: config.PadTokenId);
        position_embeddings = Embedding(config.MaxPositionEmbeddings, config.HiddenSize);
        token_type_embeddings = Embedding(config.TypeVocabSize, config.HiddenSize);
        layerNorm = LayerNorm(config.HiddenSize, config.LayerNormEps);
        dropout = Dropout(config.HiddenDropoutProb);
        RegisterComponents();
    }

    public Parameter WordEmbeddings => word_embeddings.weight!;

    /// <param name="inputIds">int64 [batch, seq]; token type 0 for every position (single segment).</param>
    public override Tensor forward(Tensor inputIds)
    {
        long seq = inputIds.shape[1];
        // Positions 0..seq-1 and token type 0 are fixed rows, so the tables are sliced rather than gathered through
        // index tensors: the same values and gradients, four fewer libtorch calls per forward pass.
        using var position = position_embeddings.weight!.narrow(0, 0, seq);
        using var type = token_type_embeddings.weight!.narrow(0, 0, 1);
        using var words = word_embeddings.call(inputIds);
        using var sum = words + position + type;
        using var normed = layerNorm.call(sum);
        return dropout.call(normed);
    }
}

/// <summary>Multi-head self-attention (HF <c>attention.self</c>).</summary>
internal sealed class BertSelfAttention : Module<Tensor, Tensor, Tensor>
{
    private readonly Linear query;
    private readonly Linear key;
    private readonly Linear value;
    private readonly int heads;
    private readonly double dropoutProbability;

    public BertSelfAttention(BertBackboneConfig config) : base("self")
    {
        query = Linear(config.HiddenSize, config.HiddenSize);
        key = Linear(config.HiddenSize, config.HiddenSize);
        value = Linear(config.HiddenSize, config.HiddenSize);
        heads = config.NumAttentionHeads;
        dropoutProbability = config.AttentionProbsDropoutProb;
        RegisterComponents();
    }

    /// <param name="hidden">[batch, seq, hidden].</param>
    /// <param name="additiveMask">[batch, 1, 1, seq]: 0 for real keys, a large negative number for padding.</param>
    public override Tensor forward(Tensor hidden, Tensor additiveMask) => Attend(hidden, hidden, additiveMask);

    /// <summary>The context of some positions (the queries) over every position of the sequence.</summary>
    /// <param name="queries">[batch, q, hidden]: all of <paramref name="hidden"/>, or its first positions when only those are read.</param>
    /// <param name="hidden">[batch, seq, hidden]: the keys and values.</param>
    /// <param name="additiveMask">[batch, 1, 1, seq].</param>
    /// <returns>[batch, q, hidden].</returns>
    public Tensor Attend(Tensor queries, Tensor hidden, Tensor additiveMask)
    {
        using var scope = NewDisposeScope();
        long batch = hidden.shape[0], width = hidden.shape[2];
        Tensor Split(Linear projection, Tensor states) => projection.call(states).view(batch, states.shape[1], heads, width / heads).transpose(1, 2);
        // Same maths as HF's eager softmax(QKᵀ/√d + mask)·V; the fused kernel is faster and saves memory.
        var context = F.scaled_dot_product_attention(Split(query, queries), Split(key, hidden), Split(value, hidden), additiveMask, training ? dropoutProbability : 0);
        return context.transpose(1, 2).reshape(batch, queries.shape[1], width).MoveToOuterDisposeScope();
    }
}

/// <summary>A sublayer's output projection, dropout, residual add and LayerNorm (HF <c>attention.output</c> and <c>output</c>).</summary>
internal sealed class BertResidualOutput : Module<Tensor, Tensor, Tensor>
{
    private readonly Linear dense;
    [ComponentName(Name = "LayerNorm")]
    private readonly LayerNorm layerNorm;
    private readonly Dropout dropout;

    public BertResidualOutput(int inputSize, BertBackboneConfig config) : base("output")
    {
        dense = Linear(inputSize, config.HiddenSize);
        layerNorm = LayerNorm(config.HiddenSize, config.LayerNormEps);
        dropout = Dropout(config.HiddenDropoutProb);
        RegisterComponents();
    }

    public override Tensor forward(Tensor states, Tensor residual)
    {
        using var projected = dense.call(states);
        using var dropped = dropout.call(projected);
        using var sum = dropped + residual;
        return layerNorm.call(sum);
    }
}

/// <summary>Self-attention and its output sublayer (HF <c>attention</c>).</summary>
internal sealed class BertAttention : Module<Tensor, Tensor, Tensor>
{
    [ComponentName(Name = "self")]
    private readonly BertSelfAttention selfAttention;
    private readonly BertResidualOutput output;

    public BertAttention(BertBackboneConfig config) : base("attention")
    {
        selfAttention = new BertSelfAttention(config);
        output = new BertResidualOutput(config.HiddenSize, config);
        RegisterComponents();
    }

    public override Tensor forward(Tensor hidden, Tensor additiveMask) => Attend(hidden, hidden, additiveMask);

    /// <summary>The sublayer's output at the query positions (see <see cref="BertSelfAttention.Attend"/>); the queries are the residual.</summary>
    public Tensor Attend(Tensor queries, Tensor hidden, Tensor additiveMask)
    {
        using var context = selfAttention.Attend(queries, hidden, additiveMask);
        return output.call(context, queries);
    }
}

/// <summary>The feed-forward expansion and activation (HF <c>intermediate</c>).</summary>
internal sealed class BertIntermediate : Module<Tensor, Tensor>
{
    private readonly Linear dense;
    private readonly string activation;

    public BertIntermediate(BertBackboneConfig config) : base("intermediate")
    {
        dense = Linear(config.HiddenSize, config.IntermediateSize);
        activation = config.HiddenAct;
        RegisterComponents();
    }

    public override Tensor forward(Tensor hidden)
    {
        using var projected = dense.call(hidden);
        return Activate(projected, activation);
    }

    /// <summary>HF's ACT2FN for the activations we support: <c>gelu</c> is the exact erf form.</summary>
    public static Tensor Activate(Tensor x, string activation) => activation switch
    {
        "gelu_new" => GeluTanh(x),
        "relu" => F.relu(x),
        _ => F.gelu(x),
    };

    private static readonly Scalar GeluCubic = 0.044715.ToScalar();
    private static readonly Scalar GeluScale = Math.Sqrt(2 / Math.PI).ToScalar();

    private static Tensor GeluTanh(Tensor x)
    {
        using var scope = NewDisposeScope();
        // Out of place throughout: autograd needs tanh's output and x as they were.
        var inner = x.add(x.pow(Scalars.Three).mul(GeluCubic), Scalars.One).mul(GeluScale);
        return x.mul(Scalars.Half).mul(inner.tanh().add(Scalars.One, Scalars.One)).MoveToOuterDisposeScope();
    }
}

/// <summary>One post-LN encoder layer (HF <c>encoder.layer.N</c>).</summary>
internal sealed class BertLayer : Module<Tensor, Tensor, Tensor>
{
    private readonly BertAttention attention;
    private readonly BertIntermediate intermediate;
    private readonly BertResidualOutput output;

    public BertLayer(BertBackboneConfig config) : base("layer")
    {
        attention = new BertAttention(config);
        intermediate = new BertIntermediate(config);
        output = new BertResidualOutput(config.IntermediateSize, config);
        RegisterComponents();
    }

    public override Tensor forward(Tensor hidden, Tensor additiveMask) => Attend(hidden, hidden, additiveMask);

    /// <summary>The layer's output at the query positions only: attention reads every position, the feed-forward part runs on the queries.</summary>
    public Tensor Attend(Tensor queries, Tensor hidden, Tensor additiveMask)
    {
        using var attended = attention.Attend(queries, hidden, additiveMask);
        using var expanded = intermediate.call(attended);
        return output.call(expanded, attended);
    }
}

/// <summary>The stack of layers (HF <c>encoder</c>, whose list is <c>encoder.layer</c>).</summary>
internal sealed class BertLayerStack : Module<Tensor, Tensor, Tensor>
{
    private readonly ModuleList<BertLayer> layer;

    public BertLayerStack(BertBackboneConfig config) : base("encoder")
    {
        layer = new ModuleList<BertLayer>(Enumerable.Range(0, config.NumHiddenLayers).Select(_ => new BertLayer(config)).ToArray());
        RegisterComponents();
    }

    public IEnumerable<BertLayer> Layers => layer;

    public override Tensor forward(Tensor hidden, Tensor additiveMask) => Run(hidden, additiveMask, lastLayerFirstTokenOnly: false);

    /// <summary>Runs the layers.</summary>
    /// <param name="hidden">The embeddings, [batch, seq, hidden].</param>
    /// <param name="additiveMask">[batch, 1, 1, seq].</param>
    /// <param name="lastLayerFirstTokenOnly">Whether the last layer computes the first position alone, [batch, 1, hidden]: all a [CLS] reader needs.</param>
    public Tensor Run(Tensor hidden, Tensor additiveMask, bool lastLayerFirstTokenOnly)
    {
        var states = hidden.alias();
        for (int i = 0; i < layer.Count; i++)
        {
            Tensor next;
            if (lastLayerFirstTokenOnly && i == layer.Count - 1)
            {
                using var first = states.narrow(1, 0, 1);
                next = layer[i].Attend(first, states, additiveMask);
            }
            else
                next = layer[i].call(states, additiveMask);
            states.Dispose();
            states = next;
        }
        return states;
    }
}

/// <summary>Dense + tanh over the first ([CLS]) token (HF <c>pooler</c>).</summary>
internal sealed class BertPooler : Module<Tensor, Tensor>
{
    private readonly Linear dense;

    public BertPooler(BertBackboneConfig config) : base("pooler")
    {
        dense = Linear(config.HiddenSize, config.HiddenSize);
        RegisterComponents();
    }

    public override Tensor forward(Tensor states)
    {
        using var first = states.select(1, 0);
        using var projected = dense.call(first);
        return projected.tanh();
    }
}
