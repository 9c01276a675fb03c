using LlmFineTune.Modeling.Backbones;
using TorchSharp.Modules;
using static TorchSharp.torch;
using static TorchSharp.torch.nn;

namespace LlmFineTune.Pretraining;

/// <summary>
/// ELECTRA's replaced-token head, HF <c>ElectraDiscriminatorPredictions</c> with its names: <c>dense</c>, the encoder's activation,
/// then <c>dense_prediction</c> to one logit per token (positive: replaced).
/// </summary>
/// <remarks>
/// The output bias starts at the log-odds of the share of tokens replaced at the first step (about every masked token: a fresh
/// generator rarely samples the original) rather than at even odds, so the first steps' gradients do not all say "fewer
/// replaced" on every token, and the held-out loss starts at the base rate's entropy instead of above it (bert-mini, 600 steps on
/// Debian descriptions: 28.9 instead of 43.5 before training, 24.7 instead of 25.1 after; the prior-bias start of Lin et al.,
/// "Focal loss", 2017). It does not make a few thousand steps enough: see docs/accuracy.md, "Why ELECTRA fails at this budget".
/// </remarks>
internal sealed class DiscriminatorHead : Module<Tensor, Tensor>
{
    private readonly Linear dense;
    private readonly Linear dense_prediction;
    private readonly string activation;

    /// <param name="config">The encoder's shape.</param>
    /// <param name="initialReplacedShare">The share of tokens replaced at the first step, in (0, 1]: the output bias starts at its log-odds.</param>
    public DiscriminatorHead(BertBackboneConfig config, double initialReplacedShare) : base("discriminator_predictions")
    {
        dense = Linear(config.HiddenSize, config.HiddenSize);
        dense_prediction = Linear(config.HiddenSize, 1);
        activation = config.HiddenAct;
        RegisterComponents();
        BertBackbone.Initialize(this, config.InitializerRange);
        // a masking probability of 1 would start at +infinity
        double share = Math.Clamp(initialReplacedShare, 1e-3, 1 - 1e-3);
        using (no_grad())
            dense_prediction.bias!.fill_(Math.Log(share / (1 - share)));
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
