using LlmFineTune.Modeling.Backbones;

namespace LlmFineTune.Modeling.Export;

/// <summary>The BERT encoder as ONNX: embeddings, post-LN layers, and the pooler when the backbone uses it.</summary>
internal static class OnnxBertBackbone
{
    public static OnnxBackboneGraph Build(OnnxGraph g, BertBackbone encoder, string ids, string mask)
    {
        var c = encoder.Config;
        var w = new OnnxWeights(g, encoder, "bert.");
        // words + positions + token type 0, then LayerNorm (the order BertEmbeddings adds them in)
        string words = g.Embed(w.Tensor("embeddings.word_embeddings.weight"), ids);
        string positions = g.Embed(w.Tensor("embeddings.position_embeddings.weight"), g.Positions(ids));
        string sum = g.Add(g.Add(words, positions), w.Row("embeddings.token_type_embeddings.weight", 0));
        string states = g.LayerNorm(w, sum, "embeddings.LayerNorm", c.LayerNormEps);

        // HF's extended mask: [batch, 1, 1, seq], 0 where attended, the lowest float where padded
        string padded = g.Node("Cast", [g.Node("Equal", [mask, g.Int64Scalar(0)])], OnnxAttribute.Of("to", (long)OnnxGraph.Float));
        string additive = g.Node("Unsqueeze", [g.Mul(padded, g.FloatScalar(OnnxLayers.Blocked)), g.Int64s(1, 2)]);

        for (int i = 0; i < c.NumHiddenLayers; i++)
        {
            string p = $"encoder.layer.{i}.";
            string context = g.Attention(
                g.Linear(w, states, p + "attention.self.query"),
                g.Linear(w, states, p + "attention.self.key"),
                g.Linear(w, states, p + "attention.self.value"),
                additive, c.NumAttentionHeads, c.HiddenSize);
            string attended = g.LayerNorm(w, g.Add(g.Linear(w, context, p + "attention.output.dense"), states), p + "attention.output.LayerNorm", c.LayerNormEps);
            string expanded = g.Activate(g.Linear(w, attended, p + "intermediate.dense"), c.HiddenAct);
            states = g.LayerNorm(w, g.Add(g.Linear(w, expanded, p + "output.dense"), attended), p + "output.LayerNorm", c.LayerNormEps);
        }
        string? pooled = encoder.UsePooler ? g.Node("Tanh", [g.Linear(w, g.First(states), "pooler.dense")]) : null;
        return new OnnxBackboneGraph(ids, mask, states, pooled);
    }
}
