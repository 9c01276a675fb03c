using TorchSharp;
using static TorchSharp.torch;

namespace LlmFineTune.Modeling.Export;

/// <summary>A module's parameters, copied into an <see cref="OnnxGraph"/> as initializers under their checkpoint names.</summary>
internal sealed class OnnxWeights
{
    private readonly OnnxGraph graph;
    private readonly string prefix;
    private readonly Dictionary<string, Tensor> parameters;

    public OnnxWeights(OnnxGraph graph, nn.Module module, string prefix)
    {
        this.graph = graph;
        this.prefix = prefix;
        parameters = module.named_parameters().ToDictionary(p => p.name, p => (Tensor)p.parameter, StringComparer.Ordinal);
    }

    public bool Has(string name) => parameters.ContainsKey(name);

    /// <summary>A tensor as stored (embedding tables, LayerNorm scales, biases, GPT-2's <c>[in, out]</c> Conv1D weights).</summary>
    public string Tensor(string name) => Add(name, Get(name));

    /// <summary>A Linear weight <c>[out, in]</c> transposed to <c>[in, out]</c>, so that <c>MatMul(x, w)</c> computes <c>x·Wᵀ</c>.</summary>
    public string Transposed(string name)
    {
        using var scope = NewDisposeScope();
        return Add(name, Get(name).t());
    }

    /// <summary>One row of a table, as a vector (BERT's token-type 0 embedding).</summary>
    public string Row(string name, long row)
    {
        using var scope = NewDisposeScope();
        return Add(name + $".row{row}", Get(name)[row]);
    }

    private Tensor Get(string name) => parameters.TryGetValue(name, out var tensor)
        ? tensor
        : throw new InvalidOperationException($"The module has no parameter '{name}'; the ONNX exporter and the module's parameter names disagree.");

    private string Add(string name, Tensor tensor)
    {
        if (tensor.dtype != ScalarType.Float32)
            throw new NotSupportedException($"ONNX export writes float32 weights; '{name}' is {tensor.dtype}. Convert the model to float32 first.");
        using var noGrad = no_grad();
        using var contiguous = tensor.detach().contiguous();
        return graph.Weight(prefix + name, contiguous.data<float>().ToArray(), contiguous.shape);
    }
}
