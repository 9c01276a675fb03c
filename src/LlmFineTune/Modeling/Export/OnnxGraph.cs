using System.Globalization;

namespace LlmFineTune.Modeling.Export;

/// <summary>
/// An ONNX graph under construction: nodes in topological order, float and int64 initializers, and
/// the graph's inputs and outputs. <see cref="OnnxModelWriter"/> serialises it as a ModelProto.
/// </summary>
internal sealed class OnnxGraph
{
    /// <summary>ONNX's element types used here (TensorProto.DataType).</summary>
    public const int Float = 1, Int64 = 7, Bool = 9;

    private readonly List<OnnxNode> nodes = [];
    private readonly List<OnnxInitializer> initializers = [];
    private readonly List<OnnxValue> inputs = [];
    private readonly List<OnnxValue> outputs = [];
    private readonly Dictionary<string, string> constants = new(StringComparer.Ordinal);
    private int counter;

    public IReadOnlyList<OnnxNode> AllNodes => nodes;

    public IReadOnlyList<OnnxInitializer> Initializers => initializers;

    public IReadOnlyList<OnnxValue> Inputs => inputs;

    public IReadOnlyList<OnnxValue> Outputs => outputs;

    /// <summary>Declares a graph input; a dimension is a symbolic name (dynamic) or a number.</summary>
    public string Input(string name, int elementType, params object[] dims)
    {
        inputs.Add(new OnnxValue(name, elementType, dims));
        return name;
    }

    /// <summary>Declares a graph output.</summary>
    public void Output(string name, int elementType, params object[] dims) => outputs.Add(new OnnxValue(name, elementType, dims));

    /// <summary>Adds a float weight; returns its name.</summary>
    public string Weight(string name, float[] values, params long[] dims)
    {
        initializers.Add(new OnnxInitializer(name, Float, dims, values, null));
        return name;
    }

    /// <summary>An int64 constant (shapes, axes, indices), shared between nodes that ask for the same values.</summary>
    public string Int64s(params long[] values) => Constant("i64:" + string.Join(',', values), name => new OnnxInitializer(name, Int64, [values.Length], null, values));

    /// <summary>An int64 scalar constant.</summary>
    public string Int64Scalar(long value) => Constant("i64s:" + value.ToString(CultureInfo.InvariantCulture), name => new OnnxInitializer(name, Int64, [], null, [value]));

    /// <summary>A float scalar constant.</summary>
    public string FloatScalar(float value) => Constant("f32s:" + value.ToString("R", CultureInfo.InvariantCulture), name => new OnnxInitializer(name, Float, [], [value], null));

    /// <summary>Adds a node with one output; returns the output's name.</summary>
    public string Node(string opType, string[] inputs, params OnnxAttribute[] attributes)
    {
        string output = $"{opType.ToLowerInvariant()}_{counter++}";
        nodes.Add(new OnnxNode(opType, inputs, [output], attributes));
        return output;
    }

    /// <summary>Adds a node with several outputs; returns their names.</summary>
    public string[] MultiNode(string opType, string[] inputs, int outputCount, params OnnxAttribute[] attributes)
    {
        string[] names = Enumerable.Range(0, outputCount).Select(i => $"{opType.ToLowerInvariant()}_{counter}_{i}").ToArray();
        counter++;
        nodes.Add(new OnnxNode(opType, inputs, names, attributes));
        return names;
    }

    /// <summary>Adds a node writing a chosen output name (the graph's outputs).</summary>
    public void NodeInto(string output, string opType, string[] inputs, params OnnxAttribute[] attributes) =>
        nodes.Add(new OnnxNode(opType, inputs, [output], attributes));

    private string Constant(string key, Func<string, OnnxInitializer> create)
    {
        if (!constants.TryGetValue(key, out string? name))
        {
            name = $"const_{constants.Count}";
            initializers.Add(create(name));
            constants.Add(key, name);
        }
        return name;
    }
}

/// <summary>One operator application.</summary>
internal sealed record OnnxNode(string OpType, string[] Inputs, string[] Outputs, OnnxAttribute[] Attributes);

/// <summary>A named constant tensor: float or int64 values, row-major.</summary>
internal sealed record OnnxInitializer(string Name, int ElementType, long[] Dims, float[]? Floats, long[]? Int64s);

/// <summary>A graph input or output: name, element type, and dimensions (numbers, or names for dynamic axes).</summary>
internal sealed record OnnxValue(string Name, int ElementType, object[] Dims);

/// <summary>A node attribute: an int, a float, or a list of ints.</summary>
internal sealed record OnnxAttribute(string Name, long? Int = null, float? Float = null, long[]? Ints = null)
{
    public static OnnxAttribute Of(string name, long value) => new(name, Int: value);

    public static OnnxAttribute Of(string name, float value) => new(name, Float: value);

    public static OnnxAttribute Of(string name, params long[] values) => new(name, Ints: values);
}
