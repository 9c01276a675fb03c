using LlmFineTune.Batching;
using LlmFineTune.Data;
using LlmFineTune.Modeling;
using TorchSharp.Modules;
using static TorchSharp.torch;
using static TorchSharp.torch.nn;

namespace LlmFineTune.Tests.Evaluation;

/// <summary>
/// A linear head of any task kind (sigmoid scores for multi-label, raw values for regression) that records whether
/// it ran in training mode and under no-grad, so tests can see what the evaluator did to the model.
/// </summary>
internal sealed class ProbeHead : Module<Tensor, Tensor>, ITaskHead
{
    private readonly Linear linear;

    public ProbeHead(int hiddenSize, int outputs, TaskKind kind) : base(nameof(ProbeHead))
    {
        Kind = kind;
        linear = Linear(hiddenSize, outputs);
        RegisterComponents();
    }

    public TaskKind Kind { get; }

    public List<(bool Training, bool GradEnabled)> Calls { get; } = [];

    public Tensor Forward(BackboneOutput features)
    {
        Calls.Add((training, is_grad_enabled()));
        return forward(features.Pooled!);
    }

    public override Tensor forward(Tensor pooled) => linear.call(pooled);

    public Tensor Loss(Tensor logits, Batch batch) => throw new NotSupportedException("The probe head is for evaluation only.");

    public Tensor Scores(Tensor logits) => Kind == TaskKind.MultiLabel ? logits.sigmoid() : logits;
}
