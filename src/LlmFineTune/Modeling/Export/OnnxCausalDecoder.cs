using LlmFineTune.Modeling.Backbones;

namespace LlmFineTune.Modeling.Export;

/// <summary>The GPT-2 decoder as ONNX: pre-LN causal blocks, <c>ln_f</c>, and the last real token as the pooled vector.</summary>
internal static class OnnxCausalDecoder
{
    public static OnnxBackboneGraph Build(OnnxGraph g, CausalDecoder decoder, string ids, string mask)
    {
        var c = decoder.Config;
        var w = new OnnxWeights(g, decoder, "transformer.");
        string range = g.Positions(ids);
        string states = g.Add(g.Embed(w.Tensor("wte.weight"), ids), g.Embed(w.Tensor("wpe.weight"), range));

        // causal (key after query) or padded key → the lowest float; [batch, 1, seq, seq]
        string later = g.Node("Greater", [g.Node("Unsqueeze", [range, g.Int64s(0)]), g.Node("Unsqueeze", [range, g.Int64s(1)])]);
        string padded = g.Node("Unsqueeze", [g.Node("Equal", [mask, g.Int64Scalar(0)]), g.Int64s(1, 2)]);
        string additive = g.Node("Where", [g.Node("Or", [later, padded]), g.FloatScalar(OnnxLayers.Blocked), g.FloatScalar(0f)]);

        for (int i = 0; i < c.NLayer; i++)
        {
            string p = $"h.{i}.";
            string qkv = Conv1D(g, w, g.LayerNorm(w, states, p + "ln_1", c.LayerNormEpsilon), p + "attn.c_attn");
            string[] parts = g.MultiNode("Split", [qkv], 3, OnnxAttribute.Of("axis", -1L));
            string context = g.Attention(parts[0], parts[1], parts[2], additive, c.NHead, c.NEmbd);
            states = g.Add(states, Conv1D(g, w, context, p + "attn.c_proj"));
            string inner = g.Activate(Conv1D(g, w, g.LayerNorm(w, states, p + "ln_2", c.LayerNormEpsilon), p + "mlp.c_fc"), c.ActivationFunction);
            states = g.Add(states, Conv1D(g, w, inner, p + "mlp.c_proj"));
        }
        states = g.LayerNorm(w, states, "ln_f", c.LayerNormEpsilon);

        // the last real token of each (right-padded) row
        string last = g.Node("Max", [g.Node("Sub", [g.Node("ReduceSum", [mask, g.Int64s(1)], OnnxAttribute.Of("keepdims", 1L)), g.Int64Scalar(1)]), g.Int64Scalar(0)]);
        string pooled = g.Node("GatherND", [states, last], OnnxAttribute.Of("batch_dims", 1L));
        return new OnnxBackboneGraph(ids, mask, states, pooled);
    }

    /// <summary>GPT-2's Conv1D: <c>x · W + b</c>, <c>W</c> stored <c>[in, out]</c>.</summary>
    private static string Conv1D(OnnxGraph g, OnnxWeights w, string x, string name) =>
        g.Affine(x, w.Tensor(name + ".weight"), w.Tensor(name + ".bias"));
}
