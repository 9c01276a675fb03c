using static TorchSharp.torch;

namespace LlmFineTune.Modeling;

/// <summary>What a backbone computes for a batch; heads pool and project it.</summary>
/// <remarks>The tensors belong to the caller's dispose scope.</remarks>
public sealed class BackboneOutput
{
    /// <summary>Creates the output.</summary>
    /// <param name="attentionMask">The batch's mask, int64 <c>[batch, seq]</c>.</param>
    /// <param name="tokenStates">Per-token states <c>[batch, seq, hidden]</c>, or null for pooled-only backbones.</param>
    /// <param name="pooled">A vector per text <c>[batch, hidden]</c>, or null to let the head pool the token states.</param>
    /// <exception cref="ArgumentException">Both tensors are null.</exception>
    public BackboneOutput(Tensor attentionMask, Tensor? tokenStates, Tensor? pooled)
    {
        if (tokenStates is null && pooled is null)
            throw new ArgumentException("A backbone must return token states, a pooled vector, or both.");
        AttentionMask = attentionMask;
        TokenStates = tokenStates;
        Pooled = pooled;
    }

    /// <summary>1 for real tokens, 0 for padding; int64 <c>[batch, seq]</c>.</summary>
    public Tensor AttentionMask { get; }

    /// <summary>Per-token states <c>[batch, seq, hidden]</c>, or null.</summary>
    public Tensor? TokenStates { get; }

    /// <summary>One vector per text <c>[batch, hidden]</c>, or null.</summary>
    public Tensor? Pooled { get; }
}
