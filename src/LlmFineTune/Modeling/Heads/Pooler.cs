using LlmFineTune.Runtime;
using static TorchSharp.torch;

namespace LlmFineTune.Modeling.Heads;

/// <summary>The pooling every head shares, so that CLS/mean/max mean the same thing everywhere.</summary>
internal static class Pooler
{
    /// <summary>One vector per text, <c>[batch, hidden]</c>, in the caller's scope.</summary>
    public static Tensor Pool(BackboneOutput features, PoolingMode mode)
    {
        if (mode == PoolingMode.Backbone)
            return features.Pooled ?? Mean(features.TokenStates!, features.AttentionMask);
        var states = features.TokenStates
            ?? throw new InvalidOperationException($"The backbone returns only a pooled vector, so PoolingMode.{mode} cannot apply. Use PoolingMode.{nameof(PoolingMode.Backbone)} with this backbone.");
        return mode switch
        {
            PoolingMode.Cls => states.select(1, 0),
            PoolingMode.Mean => Mean(states, features.AttentionMask),
            PoolingMode.Max => Max(states, features.AttentionMask),
            _ => throw new ArgumentOutOfRangeException(nameof(mode), mode, "Unknown pooling mode."),
        };
    }

    /// <summary>Whether pooling reads the first position of the token states alone.</summary>
    /// <param name="mode">The head's pooling.</param>
    /// <param name="backbonePoolsFirstToken">Whether the backbone returns a pooled vector computed from its first position (BERT's pooler).</param>
    public static bool ReadsFirstTokenOnly(PoolingMode mode, bool backbonePoolsFirstToken) =>
        mode == PoolingMode.Cls || (mode == PoolingMode.Backbone && backbonePoolsFirstToken);

    private static Tensor Mean(Tensor states, Tensor attentionMask)
    {
        var mask = attentionMask.unsqueeze(-1).to_type(states.dtype);
        return (states * mask).sum(1) / mask.sum(1).clamp_min(Scalars.One);
    }

    private static Tensor Max(Tensor states, Tensor attentionMask)
    {
        // Padding must never win the maximum; the lowest finite value keeps fully padded rows finite.
        var padding = attentionMask.unsqueeze(-1).eq(Scalars.Zero);
        return states.masked_fill(padding, Scalars.LowestFloat).amax([1]);
    }
}
