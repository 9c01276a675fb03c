using LlmFineTune.Modeling.Backbones;
using TorchSharp.Modules;
using TorchSharp.Utils;
using static TorchSharp.torch;
using static TorchSharp.torch.nn;

namespace LlmFineTune.Pretraining;

// HF BertForMaskedLM's head, with HF's field names: cls.predictions.transform.{dense,LayerNorm},
// cls.predictions.bias. The decoder weight is the encoder's word embedding table, passed in, so
// the tie is by construction and the table is registered (and updated) once.

/// <summary>Dense (from <c>inputSize</c> to the embedding width) + activation + LayerNorm (HF <c>transform</c>).</summary>
internal sealed class PredictionHeadTransform : Module<Tensor, Tensor>
{
    private readonly Linear dense;
    [ComponentName(Name = "LayerNorm")]
    private readonly LayerNorm layerNorm;
    private readonly string activation;

    public PredictionHeadTransform(BertBackboneConfig config, int inputSize) : base("transform")
    {
        dense = Linear(inputSize, config.HiddenSize);
        layerNorm = LayerNorm(config.HiddenSize, config.LayerNormEps);
        activation = config.HiddenAct;
        RegisterComponents();
        using var noGrad = no_grad();
        init.normal_(dense.weight!, 0, config.InitializerRange);
        dense.bias!.zero_();
    }

    public override Tensor forward(Tensor states)
    {
        using var projected = dense.call(states);
        using var activated = BertIntermediate.Activate(projected, activation);
        return layerNorm.call(activated);
    }
}

/// <summary>
/// Transform, then logits over the vocabulary with the tied decoder and a free bias (HF <c>predictions</c>). States of another
/// width (<c>inputSize</c>, ELECTRA's smaller generator) are projected to the embedding width by the transform's dense layer.
/// </summary>
internal sealed class LanguageModelPredictionHead : Module<Tensor, Tensor, Tensor>
{
    private readonly PredictionHeadTransform transform;
    private readonly Parameter bias;

    public LanguageModelPredictionHead(BertBackboneConfig config, int inputSize) : base("predictions")
    {
        transform = new PredictionHeadTransform(config, inputSize);
        bias = Parameter(zeros(config.VocabSize));
        RegisterComponents();
    }

    /// <param name="states">[..., hidden].</param>
    /// <param name="decoderWeight">[vocab, hidden], the word embeddings.</param>
    public override Tensor forward(Tensor states, Tensor decoderWeight)
    {
        using var transformed = transform.call(states);
        return functional.linear(transformed, decoderWeight, bias);
    }
}

/// <summary>The container HF calls <c>cls</c>.</summary>
internal sealed class MaskedLanguageModelHead : Module<Tensor, Tensor, Tensor>
{
    private readonly LanguageModelPredictionHead predictions;

    public MaskedLanguageModelHead(BertBackboneConfig config) : base("cls")
    {
        predictions = new LanguageModelPredictionHead(config, config.HiddenSize);
        RegisterComponents();
    }

    public override Tensor forward(Tensor states, Tensor decoderWeight) => predictions.call(states, decoderWeight);
}
