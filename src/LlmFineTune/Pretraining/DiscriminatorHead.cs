using LlmFineTune.Modeling.Backbones;
using TorchSharp.Modules;
using static TorchSharp.torch;
using static TorchSharp.torch.nn;

namespace LlmFineTune.Pretraining;

/// <summary>
/// ELECTRA's replaced-token head, HF <c>ElectraDiscriminatorPredictions</c> with its names: <c>dense</c>, the encoder's activation,
/// then <c>dense_prediction</c> to one logit per token (positive: replaced).
/// </summary>
internal sealed class DiscriminatorHead : Module<Tensor, Tensor>
{
    private readonly Linear dense;
    private readonly Linear dense_prediction;
    private readonly string activation;

    public DiscriminatorHead(BertBackboneConfig config) : base("discriminator_predictions")
    {
        dense = Linear(config.HiddenSize, config.HiddenSize);
        dense_prediction = Linear(config.HiddenSize, 1);
        activation = config.HiddenAct;
        RegisterComponents();
        BertBackbone.Initialize(this, config.InitializerRange);
    }

    /// <param name="states">[batch, seq, hidden].</param>
    /// <returns>[batch, seq] logits.</returns>
    public override Tensor forward(Tensor states)
    {
        using var projected = dense.call(states);
        using var activated = BertIntermediate.Activate(projected, activation);
        using var logits = dense_prediction.call(activated);
        return logits.squeeze(-1);
    }
}
