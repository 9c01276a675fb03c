namespace LlmFineTune.Modeling.Export;

/// <summary>The layers our architectures share, written as ONNX operators with the same maths as the TorchSharp modules.</summary>
internal static class OnnxLayers
{
    /// <summary>The additive mask value for blocked positions (the lowest float, as the modules use).</summary>
    public const float Blocked = float.MinValue;

    public static string Add(this OnnxGraph g, string a, string b) => g.Node("Add", [a, b]);

    public static string Mul(this OnnxGraph g, string a, string b) => g.Node("Mul", [a, b]);

    /// <summary><c>x · W + b</c> with <c>W</c> already <c>[in, out]</c>; no bias when <paramref name="bias"/> is null.</summary>
    public static string Affine(this OnnxGraph g, string x, string weight, string? bias)
    {
        string product = g.Node("MatMul", [x, weight]);
        return bias is null ? product : g.Add(product, bias);
    }

    /// <summary>A torch Linear: weight <c>[out, in]</c> (transposed here), bias when present.</summary>
    public static string Linear(this OnnxGraph g, OnnxWeights w, string x, string name) =>
        g.Affine(x, w.Transposed(name + ".weight"), w.Has(name + ".bias") ? w.Tensor(name + ".bias") : null);

    /// <summary>LayerNorm over the last axis.</summary>
    public static string LayerNorm(this OnnxGraph g, OnnxWeights w, string x, string name, double epsilon) =>
        g.Node("LayerNormalization", [x, w.Tensor(name + ".weight"), w.Tensor(name + ".bias")],
            OnnxAttribute.Of("axis", -1L), OnnxAttribute.Of("epsilon", (float)epsilon));

    /// <summary>Looks rows up in a table: <c>[..] → [.., width]</c>.</summary>
    public static string Embed(this OnnxGraph g, string table, string ids) => g.Node("Gather", [table, ids], OnnxAttribute.Of("axis", 0L));

    /// <summary>The sequence length of <c>[batch, seq]</c> ids, as an int64 scalar.</summary>
    public static string SequenceLength(this OnnxGraph g, string ids) =>
        g.Node("Gather", [g.Node("Shape", [ids]), g.Int64Scalar(1)], OnnxAttribute.Of("axis", 0L));

    /// <summary>0, 1, …, seq − 1 (int64).</summary>
    public static string Positions(this OnnxGraph g, string ids) =>
        g.Node("Range", [g.Int64Scalar(0), g.SequenceLength(ids), g.Int64Scalar(1)]);

    /// <summary>HF's activations by config name: exact (erf) GELU, the tanh approximation (<c>gelu_new</c>), ReLU.</summary>
    public static string Activate(this OnnxGraph g, string x, string activation)
    {
        switch (activation)
        {
            case "relu":
                return g.Node("Relu", [x]);
            case "gelu_new":
            {
                // 0.5·x·(1 + tanh(√(2/π)·(x + 0.044715·x³)))
                string cube = g.Mul(g.Node("Pow", [x, g.FloatScalar(3f)]), g.FloatScalar(0.044715f));
                string inner = g.Mul(g.Add(x, cube), g.FloatScalar((float)Math.Sqrt(2 / Math.PI)));
                return g.Mul(g.Mul(x, g.FloatScalar(0.5f)), g.Add(g.Node("Tanh", [inner]), g.FloatScalar(1f)));
            }
            default:
            {
                // 0.5·x·(1 + erf(x/√2))
                string erf = g.Node("Erf", [g.Mul(x, g.FloatScalar((float)(1 / Math.Sqrt(2))))]);
                return g.Mul(g.Mul(x, g.FloatScalar(0.5f)), g.Add(erf, g.FloatScalar(1f)));
            }
        }
    }

    /// <summary>
    /// Multi-head scaled dot-product attention: softmax(Q·Kᵀ/√d + mask)·V over <c>[batch, seq, width]</c>
    /// projections, returning <c>[batch, seq, width]</c>. The mask is broadcastable to
    /// <c>[batch, heads, seq, seq]</c>: 0 where attended, <see cref="Blocked"/> elsewhere.
    /// </summary>
    public static string Attention(this OnnxGraph g, string query, string key, string value, string additiveMask, int heads, int width)
    {
        string split = g.Int64s(0, 0, heads, width / heads);
        string Heads(string x, params long[] perm) => g.Node("Transpose", [g.Node("Reshape", [x, split])], OnnxAttribute.Of("perm", perm));
        string q = Heads(query, 0, 2, 1, 3), kT = Heads(key, 0, 2, 3, 1), v = Heads(value, 0, 2, 1, 3);
        string scores = g.Add(g.Mul(g.Node("MatMul", [q, kT]), g.FloatScalar((float)(1 / Math.Sqrt(width / heads)))), additiveMask);
        string context = g.Node("MatMul", [g.Node("Softmax", [scores], OnnxAttribute.Of("axis", -1L)), v]);
        return g.Node("Reshape", [g.Node("Transpose", [context], OnnxAttribute.Of("perm", 0L, 2, 1, 3)), g.Int64s(0, 0, width)]);
    }

    /// <summary>The masked mean over the sequence: <c>[batch, seq, width]</c> states and a <c>[batch, seq]</c> 0/1 weight (any type) → <c>[batch, width]</c>.</summary>
    public static string MaskedMean(this OnnxGraph g, string states, string keep)
    {
        string weight = g.Node("Unsqueeze", [g.Node("Cast", [keep], OnnxAttribute.Of("to", (long)OnnxGraph.Float)), g.Int64s(-1)]);
        string sum = g.Node("ReduceSum", [g.Mul(states, weight), g.Int64s(1)], OnnxAttribute.Of("keepdims", 0L));
        string count = g.Node("Max", [g.Node("ReduceSum", [weight, g.Int64s(1)], OnnxAttribute.Of("keepdims", 0L)), g.FloatScalar(1f)]);
        return g.Node("Div", [sum, count]);
    }

    /// <summary>The element-wise maximum over real tokens: padding is set to <see cref="Blocked"/> first.</summary>
    public static string MaskedMax(this OnnxGraph g, string states, string mask)
    {
        string padding = g.Node("Unsqueeze", [g.Node("Equal", [mask, g.Int64Scalar(0)]), g.Int64s(-1)]);
        string filled = g.Node("Where", [padding, g.FloatScalar(Blocked), states]);
        return g.Node("ReduceMax", [filled], OnnxAttribute.Of("axes", new long[] { 1 }), OnnxAttribute.Of("keepdims", 0L));
    }

    /// <summary>The first token's state: <c>[batch, seq, width] → [batch, width]</c>.</summary>
    public static string First(this OnnxGraph g, string states) => g.Node("Gather", [states, g.Int64Scalar(0)], OnnxAttribute.Of("axis", 1L));
}
