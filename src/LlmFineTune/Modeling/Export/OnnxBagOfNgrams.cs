using LlmFineTune.Modeling.Backbones;

namespace LlmFineTune.Modeling.Export;

/// <summary>The bag of n-grams as ONNX: the mean of the embeddings of each row's non-padding ids (EmbeddingBag's mean with padding index 0).</summary>
internal static class OnnxBagOfNgrams
{
    public static OnnxBackboneGraph Build(OnnxGraph g, BagOfNgrams bag, string ids, string mask)
    {
        var w = new OnnxWeights(g, bag, "bag.");
        string rows = g.Embed(w.Tensor("embeddings.weight"), ids);
        // like EmbeddingBag, padding is recognised by id 0, not by the mask
        string real = g.Node("Not", [g.Node("Equal", [ids, g.Int64Scalar(0)])]);
        return new OnnxBackboneGraph(ids, mask, TokenStates: null, Pooled: g.MaskedMean(rows, real));
    }
}
