using LlmFineTune.Modeling.Heads;

namespace LlmFineTune.Modeling.Export;

/// <summary>A built-in head as ONNX: pooling, the optional tanh hidden layer, and the output projection.</summary>
internal static class OnnxTaskHead
{
    public static string Build(OnnxGraph g, TaskHead head, OnnxBackboneGraph features)
    {
        var w = new OnnxWeights(g, head, "head.");
        string x = Pool(g, features, head.Options.Pooling);
        if (w.Has("dense.weight"))
            x = g.Node("Tanh", [g.Linear(w, x, "dense")]);
        return g.Linear(w, x, "classifier");
    }

    /// <summary>The same choices as the heads' pooler; a new <see cref="PoolingMode"/> needs its case here.</summary>
    private static string Pool(OnnxGraph g, OnnxBackboneGraph features, PoolingMode mode)
    {
        if (mode == PoolingMode.Backbone)
            return features.Pooled ?? g.MaskedMean(features.TokenStates!, features.AttentionMask);
        string states = features.TokenStates
            ?? throw new NotSupportedException($"The backbone returns only a pooled vector, so PoolingMode.{mode} cannot apply.");
        return mode switch
        {
            PoolingMode.Cls => g.First(states),
            PoolingMode.Mean => g.MaskedMean(states, features.AttentionMask),
            PoolingMode.Max => g.MaskedMax(states, features.AttentionMask),
            _ => throw new NotSupportedException($"ONNX export does not know PoolingMode.{mode} yet; add its case to {nameof(OnnxTaskHead)}.{nameof(Pool)}."),
        };
    }
}
