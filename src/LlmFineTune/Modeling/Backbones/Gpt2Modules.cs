using TorchSharp.Modules;
using static TorchSharp.torch;
using static TorchSharp.torch.nn;
using F = TorchSharp.torch.nn.functional;

namespace LlmFineTune.Modeling.Backbones;

// The parts of Hugging Face's GPT2Model, with HF's field names (h.N.ln_1, h.N.attn.c_attn, ...).
// GPT-2's Conv1D stores its weight as [in, out], the transpose of Linear's; we keep that layout so
// the parameters map one to one.

/// <summary>GPT-2's Conv1D: <c>x · W + b</c> with <c>W</c> of shape <c>[in, out]</c>.</summary>
internal sealed class Conv1D : Module<Tensor, Tensor>
{
    private readonly Parameter weight;
    private readonly Parameter bias;

    public Conv1D(int inputSize, int outputSize, double std, string name) : base(name)
    {
        weight = Parameter(normal(0, std, [inputSize, outputSize]));
        bias = Parameter(zeros(outputSize));
        RegisterComponents();
    }

    public override Tensor forward(Tensor x)
    {
        using var product = x.matmul(weight);
        return product + bias;
    }
}

/// <summary>Causal multi-head self-attention (HF <c>attn</c>).</summary>
internal sealed class Gpt2Attention : Module<Tensor, Tensor, Tensor>
{
    private readonly Conv1D c_attn;
    private readonly Conv1D c_proj;
    private readonly Dropout resid_dropout;
    private readonly int heads;
    private readonly double dropoutProbability;

    public Gpt2Attention(CausalDecoderConfig config) : base("attn")
    {
        c_attn = new Conv1D(config.NEmbd, 3 * config.NEmbd, config.InitializerRange, "c_attn");
        // GPT-2 scales the residual projections by 1/√(2·layers) at initialisation.
        c_proj = new Conv1D(config.NEmbd, config.NEmbd, config.InitializerRange / Math.Sqrt(2 * config.NLayer), "c_proj");
        resid_dropout = Dropout(config.ResidPdrop);
        heads = config.NHead;
        dropoutProbability = config.AttnPdrop;
        RegisterComponents();
    }

    /// <param name="hidden">[batch, seq, embd].</param>
    /// <param name="additiveMask">[batch, 1, seq, seq]: 0 where a query may attend, a large negative number elsewhere.</param>
    public override Tensor forward(Tensor hidden, Tensor additiveMask)
    {
        using var scope = NewDisposeScope();
        long batch = hidden.shape[0], seq = hidden.shape[1], width = hidden.shape[2];
        var qkv = c_attn.call(hidden).view(batch, seq, 3, heads, width / heads).permute(2, 0, 3, 1, 4);
        var context = F.scaled_dot_product_attention(qkv[0], qkv[1], qkv[2], additiveMask, training ? dropoutProbability : 0);
        var merged = context.transpose(1, 2).reshape(batch, seq, width);
        return resid_dropout.call(c_proj.call(merged)).MoveToOuterDisposeScope();
    }
}

/// <summary>The feed-forward block (HF <c>mlp</c>).</summary>
internal sealed class Gpt2Mlp : Module<Tensor, Tensor>
{
    private readonly Conv1D c_fc;
    private readonly Conv1D c_proj;
    private readonly Dropout dropout;
    private readonly string activation;

    public Gpt2Mlp(CausalDecoderConfig config) : base("mlp")
    {
        c_fc = new Conv1D(config.NEmbd, config.InnerSize, config.InitializerRange, "c_fc");
        c_proj = new Conv1D(config.InnerSize, config.NEmbd, config.InitializerRange / Math.Sqrt(2 * config.NLayer), "c_proj");
        dropout = Dropout(config.ResidPdrop);
        activation = config.ActivationFunction;
        RegisterComponents();
    }

    public override Tensor forward(Tensor hidden)
    {
        using var scope = NewDisposeScope();
        return dropout.call(c_proj.call(BertIntermediate.Activate(c_fc.call(hidden), activation))).MoveToOuterDisposeScope();
    }
}

/// <summary>One pre-LN decoder block (HF <c>h.N</c>).</summary>
internal sealed class Gpt2Block : Module<Tensor, Tensor, Tensor>
{
    private readonly LayerNorm ln_1;
    private readonly Gpt2Attention attn;
    private readonly LayerNorm ln_2;
    private readonly Gpt2Mlp mlp;

    public Gpt2Block(CausalDecoderConfig config) : base("block")
    {
        ln_1 = LayerNorm(config.NEmbd, config.LayerNormEpsilon);
        attn = new Gpt2Attention(config);
        ln_2 = LayerNorm(config.NEmbd, config.LayerNormEpsilon);
        mlp = new Gpt2Mlp(config);
        RegisterComponents();
    }

    public override Tensor forward(Tensor hidden, Tensor additiveMask)
    {
        using var scope = NewDisposeScope();
        var attended = hidden + attn.call(ln_1.call(hidden), additiveMask);
        return (attended + mlp.call(ln_2.call(attended))).MoveToOuterDisposeScope();
    }
}
