using TorchSharp.Modules;
using static TorchSharp.torch;

namespace LlmFineTune.Examples.CustomHeadAndOptimizer;

/// <summary>
/// The Lion optimizer (Chen et al., 2023, "Symbolic Discovery of Optimization Algorithms") written with TorchSharp tensor
/// operations: the update is the sign of an interpolation of the gradient and a momentum, so every weight moves by the
/// learning rate. It derives from <see cref="OptimizerHelper"/> so the trainer can set each group's learning rate.
/// </summary>
internal sealed class Lion : OptimizerHelper
{
    private readonly double beta1;
    private readonly double beta2;

    public Lion(IEnumerable<Group> groups, double learningRate, double beta1, double beta2)
    {
        if (!(beta1 is >= 0 and < 1) || !(beta2 is >= 0 and < 1))
            throw new ArgumentOutOfRangeException(nameof(beta1), "beta1 and beta2 must be in [0, 1).");
        this.beta1 = beta1;
        this.beta2 = beta2;
        _defaults = new Options { LearningRate = learningRate, InitialLearningRate = learningRate };
        _parameter_groups = [];
        foreach (var group in groups)
            add_param_group(group);
    }

    public override Tensor step(Func<Tensor>? closure = null) => _step<Group>(group =>
    {
        double rate = group.Options.LearningRate!.Value;
        double decay = group.Options.WeightDecay;
        foreach (var parameter in group.Parameters)
        {
            using var grad = parameter.grad;
            if (grad is null) continue;
            var momentum = ((State)_state[parameter.Handle]).Momentum;
            using var scope = NewDisposeScope();
            if (decay != 0)
                parameter.mul_(1 - rate * decay);
            parameter.add_(momentum.mul(beta1).add_(grad, alpha: 1 - beta1).sign_(), alpha: -rate);
            momentum.mul_(beta2).add_(grad, alpha: 1 - beta2);
        }
    }, closure);

    public override void add_param_group(ParamGroup group)
    {
        var options = (Options)(group.Options ??= new Options());
        options.LearningRate ??= _defaults.LearningRate;
        options.InitialLearningRate = options.LearningRate!.Value;
        _parameter_groups.Add(group);
        foreach (var parameter in group.Parameters)
            _state[parameter.Handle] = new State(parameter) { Momentum = zeros_like(parameter).DetachFromDisposeScope() };
    }

    protected override void Dispose(bool disposing)
    {
        base.Dispose(disposing);
        foreach (var state in _state.Values)
            ((State)state).Momentum.Dispose();
        _state.Clear();
    }

    /// <summary>A parameter group with its own learning rate and weight decay.</summary>
    public sealed class Group : ParamGroup<Options>
    {
        public Group(IEnumerable<Parameter> parameters, Options options) : base(parameters, options)
        {
        }
    }

    /// <summary>Per-group settings.</summary>
    public sealed class Options : OptimizerOptions
    {
        public double WeightDecay { get; set; }
    }

    /// <summary>The momentum of one parameter; not saved (this example does not write checkpoints).</summary>
    private sealed class State(Parameter parameter) : OptimizerState(parameter)
    {
        public required Tensor Momentum { get; set; }

        public override void Initialize(OptimizerOptions options)
        {
        }

        public override void to(Device device) => Momentum = Momentum.to(device);

        public override void SaveStateDict(BinaryWriter writer) => throw new NotSupportedException("Lion in this example does not write checkpoints.");

        public override void LoadStateDict(BinaryReader reader) => throw new NotSupportedException("Lion in this example does not read checkpoints.");

        public override void LoadStateDict(OptimizerState source) => throw new NotSupportedException("Lion in this example does not read checkpoints.");

        public override bool ApproximatelyEquals(OptimizerState other) => other is State state && Momentum.allclose(state.Momentum);
    }
}
