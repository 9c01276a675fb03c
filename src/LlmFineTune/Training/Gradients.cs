using LlmFineTune.Runtime;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace LlmFineTune.Training;

/// <summary>What the training loop does to gradients between backward and the optimizer step, sparse ones included.</summary>
internal static class Gradients
{
    /// <summary>Replaces each sparse gradient with its dense equivalent, for optimizers that take dense gradients only.</summary>
    public static void Densify(IEnumerable<Parameter> parameters)
    {
        foreach (var parameter in parameters)
            if (parameter.grad is { is_sparse: true } gradient)
                parameter.grad = gradient.to_dense();
    }

    /// <summary>Scales all gradients together so their joint L2 norm is at most <paramref name="maxNorm"/>; returns the norm before scaling.</summary>
    /// <remarks>
    /// The same arithmetic as libtorch's <c>clip_grad_norm_</c>, which computes a sparse gradient's
    /// norm but leaves the gradient itself unscaled (it scales a shallow copy).
    /// </remarks>
    public static double ClipNorm(IEnumerable<Parameter> parameters, double maxNorm)
    {
        var withGradient = parameters.Select(p => (Parameter: p, Gradient: p.grad)).Where(p => p.Gradient is not null).ToList();
        if (withGradient.Count == 0) return 0;
        var norms = withGradient.Select(p => p.Gradient!.norm()).ToArray();
        var total = norms.Length == 1 ? norms[0] : stack(norms).norm();
        // Explicit scalars kept alive across the native calls (see AdamW.Update for why).
        using var tiny = 1e-6.ToScalar();
        using var limit = maxNorm.ToScalar();
        // Scalars.One is also add's alpha, which add(Scalar) would make implicitly.
        var coefficient = total.add(tiny, Scalars.One).reciprocal_().mul_(limit).clamp_max_(Scalars.One);
        foreach (var (parameter, gradient) in withGradient)
        {
            if (gradient!.is_sparse)
                parameter.grad = gradient.mul(coefficient);
            else
                gradient.mul_(coefficient);
        }
        return total.item<float>();
    }
}
