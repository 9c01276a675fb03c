using TorchSharp;

namespace LlmFineTune.Runtime;

/// <summary>
/// Constant scalars for libtorch calls on the training and inference paths. A C# number converted implicitly to a
/// <see cref="Scalar"/> is unreachable once its handle has been passed, so the GC may finalize (free) it while libtorch
/// still reads it; that surfaced as "Expected false to be true" in <c>Scalar::toFloat</c> in long runs. Static fields
/// stay reachable for the life of the process.
/// </summary>
internal static class Scalars
{
    public static readonly Scalar Zero = 0.ToScalar();
    public static readonly Scalar One = 1.ToScalar();
    public static readonly Scalar Three = 3.ToScalar();
    public static readonly Scalar Half = 0.5.ToScalar();

    /// <summary>The lowest finite float32: an additive attention mask's "blocked", finite so fully padded rows stay finite.</summary>
    public static readonly Scalar LowestFloat = float.MinValue.ToScalar();
}
