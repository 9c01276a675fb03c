using System.Runtime.InteropServices;
using Google.Protobuf;

namespace LlmFineTune.Modeling.Export;

/// <summary>
/// Serialises an <see cref="OnnxGraph"/> as an ONNX ModelProto (onnx.proto's messages and field
/// numbers, written with protobuf's wire-format writer; no generated code is needed for the handful
/// of messages a model uses).
/// </summary>
internal static class OnnxModelWriter
{
    /// <summary>The operator set the graphs target: 17 has LayerNormalization, and Debian's onnx 1.12 checks up to it.</summary>
    public const long Opset = 17;

    /// <summary>IR version 8, the one that goes with opset 17.</summary>
    private const long IrVersion = 8;

    private const int AttributeFloat = 1, AttributeInt = 2, AttributeInts = 7;

    /// <summary>Writes the model file (to a temporary sibling, then renamed into place).</summary>
    public static void Write(string path, OnnxGraph graph, string graphName, IReadOnlyDictionary<string, string> metadata)
    {
        byte[] model = Message(o =>
        {
            o.WriteTag(1, WireFormat.WireType.Varint);
            o.WriteInt64(IrVersion);
            WriteString(o, 2, "LlmFineTune");
            WriteString(o, 3, typeof(OnnxModelWriter).Assembly.GetName().Version?.ToString() ?? "");
            WriteMessage(o, 7, Graph(graph, graphName));
            WriteMessage(o, 8, Message(s =>
            {
                WriteString(s, 1, "");
                s.WriteTag(2, WireFormat.WireType.Varint);
                s.WriteInt64(Opset);
            }));
            foreach (var (key, value) in metadata)
                WriteMessage(o, 14, Message(e =>
                {
                    WriteString(e, 1, key);
                    WriteString(e, 2, value);
                }));
        });
        AtomicFile.Write(path, stream => stream.Write(model));
    }

    private static byte[] Graph(OnnxGraph graph, string name) => Message(g =>
    {
        foreach (var node in graph.AllNodes)
            WriteMessage(g, 1, Node(node));
        WriteString(g, 2, name);
        foreach (var initializer in graph.Initializers)
            WriteMessage(g, 5, Tensor(initializer));
        foreach (var input in graph.Inputs)
            WriteMessage(g, 11, ValueInfo(input));
        foreach (var output in graph.Outputs)
            WriteMessage(g, 12, ValueInfo(output));
    });

    private static byte[] Node(OnnxNode node) => Message(n =>
    {
        foreach (string input in node.Inputs)
            WriteString(n, 1, input);
        foreach (string output in node.Outputs)
            WriteString(n, 2, output);
        WriteString(n, 3, node.Outputs[0]);
        WriteString(n, 4, node.OpType);
        foreach (var attribute in node.Attributes)
            WriteMessage(n, 5, Attribute(attribute));
    });

    private static byte[] Attribute(OnnxAttribute attribute) => Message(a =>
    {
        WriteString(a, 1, attribute.Name);
        if (attribute.Float is { } f)
        {
            a.WriteTag(2, WireFormat.WireType.Fixed32);
            a.WriteFloat(f);
        }
        else if (attribute.Int is { } i)
        {
            a.WriteTag(3, WireFormat.WireType.Varint);
            a.WriteInt64(i);
        }
        else
        {
            foreach (long value in attribute.Ints!)
            {
                a.WriteTag(8, WireFormat.WireType.Varint);
                a.WriteInt64(value);
            }
        }
        a.WriteTag(20, WireFormat.WireType.Varint);
        a.WriteEnum(attribute.Float is not null ? AttributeFloat : attribute.Int is not null ? AttributeInt : AttributeInts);
    });

    private static byte[] Tensor(OnnxInitializer tensor) => Message(t =>
    {
        foreach (long dim in tensor.Dims)
        {
            t.WriteTag(1, WireFormat.WireType.Varint);
            t.WriteInt64(dim);
        }
        t.WriteTag(2, WireFormat.WireType.Varint);
        t.WriteInt32(tensor.ElementType);
        WriteString(t, 8, tensor.Name);
        // raw_data is little-endian, as on every platform .NET runs this library on.
        var raw = tensor.Floats is not null ? MemoryMarshal.AsBytes(tensor.Floats.AsSpan()) : MemoryMarshal.AsBytes(tensor.Int64s.AsSpan());
        t.WriteTag(9, WireFormat.WireType.LengthDelimited);
        t.WriteBytes(UnsafeByteOperations.UnsafeWrap(raw.ToArray()));
    });

    private static byte[] ValueInfo(OnnxValue value) => Message(v =>
    {
        WriteString(v, 1, value.Name);
        WriteMessage(v, 2, Message(type =>                 // TypeProto
            WriteMessage(type, 1, Message(tensor =>        // TypeProto.Tensor
            {
                tensor.WriteTag(1, WireFormat.WireType.Varint);
                tensor.WriteInt32(value.ElementType);
                WriteMessage(tensor, 2, Message(shape =>   // TensorShapeProto
                {
                    foreach (object dim in value.Dims)
                        WriteMessage(shape, 1, Message(d =>
                        {
                            if (dim is string symbol)
                                WriteString(d, 2, symbol);
                            else
                            {
                                d.WriteTag(1, WireFormat.WireType.Varint);
                                d.WriteInt64(Convert.ToInt64(dim, System.Globalization.CultureInfo.InvariantCulture));
                            }
                        }));
                }));
            }))));
    });

    private static void WriteString(CodedOutputStream output, int field, string value)
    {
        output.WriteTag(field, WireFormat.WireType.LengthDelimited);
        output.WriteString(value);
    }

    private static void WriteMessage(CodedOutputStream output, int field, byte[] message)
    {
        output.WriteTag(field, WireFormat.WireType.LengthDelimited);
        output.WriteBytes(UnsafeByteOperations.UnsafeWrap(message));
    }

    /// <summary>A message's bytes; nested messages are length-prefixed byte strings on the wire.</summary>
    private static byte[] Message(Action<CodedOutputStream> write)
    {
        using var buffer = new MemoryStream();
        using (var output = new CodedOutputStream(buffer, leaveOpen: true))
        {
            write(output);
            output.Flush();
        }
        return buffer.ToArray();
    }
}
