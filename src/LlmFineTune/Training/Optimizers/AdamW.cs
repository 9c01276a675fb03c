using LlmFineTune.Runtime;
using TorchSharp;
using static TorchSharp.torch;

namespace LlmFineTune.Training.Optimizers;

/// <summary>
/// AdamW that updates in place with fewer passes over memory than TorchSharp's, and that takes
/// sparse gradients (an embedding table's, such as <see cref="Modeling.Backbones.BagOfNgrams"/>'s)
/// by updating only the rows in the batch.
/// </summary>
/// <remarks>
/// <para>
/// Dense gradients get the standard decoupled update (Loshchilov and Hutter), with the bias
/// corrections folded into the step size and epsilon so that no full-size temporary but the
/// denominator is made.
/// </para>
/// <para>
/// Row-sparse gradients (sparse in the first dimension only) get the lazy update of PyTorch's
/// <c>SparseAdam</c>: the moments, the weight decay and the step of a row change only when the row
/// is in the batch, so a row seen once in a thousand steps decays once, not a thousand times, and
/// its moments do not fade between visits.
/// The parameter's step count (for the bias corrections) advances on every step. On the rows of
/// one step from fresh state this equals the dense update; rows not in the batch stay unchanged.
/// </para>
/// <para>
/// The class derives from TorchSharp's <c>AdamW</c> and keeps its name, options and state, so
/// checkpoints carry the same optimizer file either way and a run checkpointed with either resumes.
/// <see cref="zero_grad"/> drops gradients instead of zeroing them: the next backward then writes
/// fresh ones instead of adding to zeros.
/// </para>
/// </remarks>
internal sealed class AdamW : TorchSharp.Modules.AdamW
{
    public AdamW(IEnumerable<ParamGroup> groups, double learningRate) : base(groups, learningRate)
    {
    }

    public override Tensor step(Func<Tensor>? closure = null) => _step<ParamGroup>(group =>
    {
        var options = group.Options;
        if (options.amsgrad == true || options.maximize == true)
            throw new NotSupportedException("This AdamW supports neither amsgrad nor maximize; the optimizer state asks for one of them. Resume with the optimizer the checkpoint was written with.");
        foreach (var parameter in group.Parameters)
        {
            var gradient = parameter.grad;
            if (gradient is null) continue;
            var state = (State)_state[parameter.Handle];
            state.step++;
            var settings = new Settings(options, state.step);
            if (!gradient.is_sparse)
                Update(parameter, state.exp_avg, state.exp_avg_sq, gradient, settings);
            else if (gradient.SparseIndices.shape[0] == 1)
                UpdateRows(parameter, state, gradient, settings);
            else
                // Sparse in more than the first dimension: not a set of rows, so no lazy update either.
                Update(parameter, state.exp_avg, state.exp_avg_sq, gradient.to_dense(), settings);
        }
    }, closure);

    public override void zero_grad()
    {
        foreach (var group in _parameter_groups)
            foreach (var parameter in group.Parameters)
                parameter.grad = null;
    }

    /// <summary>Updates the rows a sparse gradient names: gather them, update them as dense, scatter them back.</summary>
    private static void UpdateRows(Tensor parameter, State state, Tensor gradient, Settings settings)
    {
        // The gradient may name a row more than once (one entry per token): sum the entries of each row.
        var entries = gradient.SparseIndices[0];
        var values = gradient.SparseValues;
        var (rows, entryRow, _) = entries.unique(sorted: true, return_inverse: true);
        var rowGradient = zeros([rows.shape[0], .. values.shape[1..]], values.dtype).index_add_(0, entryRow!, values, Scalars.One);
        var weights = parameter.index_select(0, rows);
        var average = state.exp_avg.index_select(0, rows);
        var squares = state.exp_avg_sq.index_select(0, rows);
        Update(weights, average, squares, rowGradient, settings);
        // index_put_ writes rows back faster than index_copy_ (the rows are distinct, so it is deterministic).
        parameter.index_put_(weights, rows);
        state.exp_avg.index_put_(average, rows);
        state.exp_avg_sq.index_put_(squares, rows);
    }

    /// <summary>The AdamW update of <paramref name="weights"/> and its moments, in place.</summary>
    private static void Update(Tensor weights, Tensor average, Tensor squares, Tensor gradient, Settings s)
    {
        // Explicit scalars, disposed after the calls: an implicit double -> Scalar is unreachable once its handle
        // is passed, so the GC could finalize (free) it while libtorch still reads it ("toDouble" failures, seen
        // in end-to-end bag runs when the prefetch thread allocates).
        using var decay = s.Decay.ToScalar();
        using var beta1 = s.Beta1.ToScalar();
        using var oneMinusBeta1 = (1 - s.Beta1).ToScalar();
        using var beta2 = s.Beta2.ToScalar();
        using var oneMinusBeta2 = (1 - s.Beta2).ToScalar();
        using var epsilon = s.Epsilon.ToScalar();
        using var step = (-s.StepSize).ToScalar();
        if (s.Decay != 1) weights.mul_(decay);
        average.mul_(beta1).add_(gradient, alpha: oneMinusBeta1);
        squares.mul_(beta2).addcmul_(gradient, gradient, value: oneMinusBeta2);
        using var root = squares.sqrt();
        // add_(Scalar) alone would make its alpha of 1 implicitly.
        weights.addcdiv_(average, root.add_(epsilon, Scalars.One), value: step);
    }

    /// <summary>One parameter's step constants, bias corrections folded in.</summary>
    private readonly struct Settings
    {
        public Settings(Options options, long step)
        {
            double rate = options.LearningRate!.Value;
            Beta1 = options.beta1!.Value;
            Beta2 = options.beta2!.Value;
            Decay = 1 - rate * options.weight_decay!.Value;
            // m̂ / (√v̂ + ε) = m·√(1 − β₂ᵗ)/(1 − β₁ᵗ) / (√v + ε·√(1 − β₂ᵗ)): one pass fewer than dividing √v.
            double correction2 = Math.Sqrt(1 - Math.Pow(Beta2, step));
            StepSize = rate * correction2 / (1 - Math.Pow(Beta1, step));
            Epsilon = options.eps!.Value * correction2;
        }

        public double Beta1 { get; }

        public double Beta2 { get; }

        public double Decay { get; }

        public double StepSize { get; }

        public double Epsilon { get; }
    }
}
