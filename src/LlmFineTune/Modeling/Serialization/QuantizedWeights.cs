using static TorchSharp.torch;

namespace LlmFineTune.Modeling.Serialization;

/// <summary>
/// The 8-bit encoding of a weight matrix in <c>model.safetensors</c>, written by <see cref="Quantization.ModelQuantizer"/>:
/// <c>NAME:int8</c> (I8 <c>[kept, columns]</c>), <c>NAME:scale</c> (F32 <c>[kept]</c>, one scale per row: value = int8 × scale)
/// and, when rows were pruned, <c>NAME:rows</c> (I32 <c>[kept]</c>, the kept rows in increasing order; the others load as zeros).
/// Other tensors stay plain F32. Loading dequantizes into the float model.
/// </summary>
internal static class QuantizedWeights
{
    public const string Int8Suffix = ":int8";
    public const string ScaleSuffix = ":scale";
    public const string RowsSuffix = ":rows";

    /// <summary>
    /// Most float32 bytes a quantized file may describe per byte it holds (8 bits for 32, and pruned rows that take no room),
    /// so that a config claiming a huge table from a tiny file is refused before anything is allocated.
    /// </summary>
    public const int MaxExpansion = 1024;

    /// <summary>Whether a weights file holds 8-bit matrices.</summary>
    public static bool IsQuantized(IEnumerable<string> names) => names.Any(n => n.EndsWith(Int8Suffix, StringComparison.Ordinal));

    /// <summary>A file name without its quantization suffix (the parameter it encodes).</summary>
    public static string ParameterName(string name)
    {
        foreach (string suffix in (string[])[Int8Suffix, ScaleSuffix, RowsSuffix])
            if (name.EndsWith(suffix, StringComparison.Ordinal)) return name[..^suffix.Length];
        return name;
    }

    /// <summary>Encodes a float matrix as 8-bit rows with one scale each, keeping only <paramref name="rows"/> (increasing) when given.</summary>
    /// <returns>The tensors to write; the caller disposes them.</returns>
    public static IEnumerable<(string Name, Tensor Tensor)> Encode(string name, Tensor weight, long[]? rows)
    {
        using var scope = NewDisposeScope();
        using var noGrad = no_grad();
        var kept = rows is null ? weight.to_type(ScalarType.Float32) : weight.index_select(0, tensor(rows)).to_type(ScalarType.Float32);
        var scale = kept.abs().amax(1) / 127f;
        // an all-zero row gets scale 1 so that it divides safely; it still encodes as zeros
        var safe = where(scale > 0, scale, ones_like(scale));
        var quantized = (kept / safe.unsqueeze(1)).round().clamp(-127, 127).to_type(ScalarType.Int8);
        var encoded = new List<(string, Tensor)> { (name + Int8Suffix, quantized.MoveToOuterDisposeScope()), (name + ScaleSuffix, safe.MoveToOuterDisposeScope()) };
        if (rows is not null)
            encoded.Add((name + RowsSuffix, tensor(rows.Select(r => (int)r).ToArray()).MoveToOuterDisposeScope()));
        return encoded;
    }

    /// <summary>
    /// Loads a quantized file into float targets (keyed by the model's names, as <see cref="SafeTensors.LoadInto"/> does):
    /// 8-bit matrices are checked against their targets, read, and dequantized; plain tensors load as usual.
    /// </summary>
    /// <exception cref="InvalidDataException">An 8-bit matrix lacks its scales, has the wrong dtype or shape, or lists rows out of order or range.</exception>
    public static IReadOnlyList<string> LoadInto(string path, IReadOnlyDictionary<string, SafeTensorEntry> header, IReadOnlyDictionary<string, Tensor> targets, Func<string, string> rename)
    {
        var read = new Dictionary<string, Tensor>(StringComparer.Ordinal);
        var staged = new List<(Tensor Target, string Name, bool Pruned)>();
        var loaded = new HashSet<string>(StringComparer.Ordinal);
        try
        {
            foreach (var entry in header.Values)
            {
                string parameter = ParameterName(entry.Name);
                if (!targets.TryGetValue(rename(parameter), out var target)) continue;
                if (parameter == entry.Name)
                {
                    read[entry.Name] = target;
                    loaded.Add(rename(parameter));
                }
                else if (entry.Name.EndsWith(Int8Suffix, StringComparison.Ordinal))
                {
                    bool pruned = Stage(path, header, entry, parameter, target, read);
                    staged.Add((target, parameter, pruned));
                    loaded.Add(rename(parameter));
                }
            }
            SafeTensors.LoadInto(path, read, header: header);
            using var noGrad = no_grad();
            foreach (var (target, name, pruned) in staged)
            {
                using var scope = NewDisposeScope();
                var values = read[name + Int8Suffix].to_type(ScalarType.Float32) * read[name + ScaleSuffix].unsqueeze(1);
                if (!pruned)
                {
                    target.copy_(values);
                    continue;
                }
                var rows = read[name + RowsSuffix].data<int>().ToArray();
                for (int i = 0; i < rows.Length; i++)
                    if (rows[i] < 0 || rows[i] >= target.shape[0] || (i > 0 && rows[i] <= rows[i - 1]))
                        throw new InvalidDataException($"{path}: tensor '{name}{RowsSuffix}' must list rows in increasing order within [0, {target.shape[0]}) (entry {i} is {rows[i]}).");
                target.zero_();
                target.index_copy_(0, tensor(rows).to_type(ScalarType.Int64), values);
            }
        }
        finally
        {
            foreach (var (name, tensor) in read)
                if (name != ParameterName(name)) tensor.Dispose();
        }
        return targets.Keys.Where(k => !loaded.Contains(k)).ToList();
    }

    /// <summary>Checks an 8-bit matrix and its companions against the float target and allocates tensors to read them into; returns whether rows were pruned.</summary>
    private static bool Stage(string path, IReadOnlyDictionary<string, SafeTensorEntry> header, SafeTensorEntry int8, string name, Tensor target, Dictionary<string, Tensor> read)
    {
        string where = $"{path}: tensor '{int8.Name}'";
        if (int8.DType != "I8" || int8.Shape.Length != 2 || target.shape.Length != 2 || int8.Shape[1] != target.shape[1] || int8.Shape[0] > target.shape[0])
            throw new InvalidDataException($"{where} must be I8 [rows, {(target.shape.Length == 2 ? target.shape[1] : "?")}] with at most {target.shape[0]} rows for a parameter of shape [{string.Join(", ", target.shape)}] (was {int8.DType} [{string.Join(", ", int8.Shape)}]).");
        long kept = int8.Shape[0];
        if (!header.TryGetValue(name + ScaleSuffix, out var scale) || scale.DType != "F32" || !scale.Shape.SequenceEqual([kept]))
            throw new InvalidDataException($"{path}: tensor '{name}{ScaleSuffix}' must be F32 [{kept}], one scale per row of '{int8.Name}'.");
        bool pruned = header.TryGetValue(name + RowsSuffix, out var rows);
        if (pruned && (rows!.DType != "I32" || !rows.Shape.SequenceEqual([kept])))
            throw new InvalidDataException($"{path}: tensor '{name}{RowsSuffix}' must be I32 [{kept}], the row of each of '{int8.Name}'.");
        if (!pruned && kept != target.shape[0])
            throw new InvalidDataException($"{where} has {kept} rows but the parameter has {target.shape[0]}, and there is no '{name}{RowsSuffix}' saying which they are.");
        read[int8.Name] = empty([kept, target.shape[1]], ScalarType.Int8);
        read[scale.Name] = empty([kept], ScalarType.Float32);
        if (pruned) read[rows!.Name] = empty([kept], ScalarType.Int32);
        return pruned;
    }
}
