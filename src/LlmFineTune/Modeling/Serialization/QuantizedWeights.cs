using System.Runtime.CompilerServices;
using LlmFineTune.Runtime;
using static TorchSharp.torch;

namespace LlmFineTune.Modeling.Serialization;

/// <summary>
/// The narrow-integer encodings of a weight matrix in <c>model.safetensors</c>, written by <see cref="Quantization.ModelQuantizer"/>:
/// <c>NAME:int8</c> (I8 <c>[kept, columns]</c>) or <c>NAME:intN</c> for N of 2 to 7 bits (U8 <c>[kept, ⌈columns / 8⌉ × N]</c>:
/// each eight values, plus 2^(N-1), packed little-endian into N bytes, the first in the lowest bits), <c>NAME:scale</c>
/// (F16, or F32 in files written before 16-bit scales, <c>[kept]</c>, one scale per row: value = integer × scale) and,
/// when rows were pruned, <c>NAME:rows</c> (I32 <c>[kept]</c>, the kept rows in increasing order; the others load as
/// zeros). Other tensors are plain F16 or F32. Loading dequantizes into the float model.
/// </summary>
internal static class QuantizedWeights
{
    public const string Int8Suffix = ":int8";

    /// <summary>The suffix of a matrix of narrower integers: <c>:int2</c> to <c>:int7</c>, the width in bits.</summary>
    private const string PackedSuffix = ":int";
    public const string ScaleSuffix = ":scale";
    public const string RowsSuffix = ":rows";

    /// <summary>
    /// Most float32 bytes a quantized file may describe per byte it holds (8 or 4 bits for 32, and pruned rows that take no room),
    /// so that a config claiming a huge table from a tiny file is refused before anything is allocated.
    /// </summary>
    public const int MaxExpansion = 1024;

    /// <summary>Whether a weights file holds 8- or 4-bit matrices.</summary>
    public static bool IsQuantized(IEnumerable<string> names) => names.Any(IsMatrix);

    /// <summary>A file name without its quantization suffix (the parameter it encodes).</summary>
    public static string ParameterName(string name)
    {
        if (Bits(name) is not null) return name[..^(PackedSuffix.Length + 1)];
        foreach (string suffix in (string[])[ScaleSuffix, RowsSuffix])
            if (name.EndsWith(suffix, StringComparison.Ordinal)) return name[..^suffix.Length];
        return name;
    }

    /// <summary>The width of a quantized matrix's integers (2 to 8) from its name, or null for any other tensor.</summary>
    private static int? Bits(string name) =>
        name.Length > PackedSuffix.Length + 1 && name[^1] is >= '2' and <= '8' && name.AsSpan(0, name.Length - 1).EndsWith(PackedSuffix, StringComparison.Ordinal) ? name[^1] - '0' : null;

    private static bool IsMatrix(string name) => Bits(name) is not null;

    /// <summary>Encodes a float matrix as rows of narrow integers with one scale each, keeping only <paramref name="rows"/> (increasing) when given.</summary>
    /// <param name="name">The parameter's file name.</param>
    /// <param name="weight">The matrix.</param>
    /// <param name="rows">The rows to keep, or null for all.</param>
    /// <param name="bits">2 to 8: values ±(2^(bits-1) - 1), so 8 bits hold -127..127.</param>
    /// <returns>The tensors to write, in the caller's dispose scope.</returns>
    public static IEnumerable<(string Name, Tensor Tensor)> Encode(string name, Tensor weight, long[]? rows, int bits = 8)
    {
        using var scope = NewDisposeScope();
        using var noGrad = no_grad();
        if (bits is < 2 or > 8) throw new ArgumentOutOfRangeException(nameof(bits), bits, "Quantized matrices hold 2 to 8 bits per value.");
        int levels = (1 << (bits - 1)) - 1;
        var kept = rows is null ? weight.to_type(ScalarType.Float32) : weight.index_select(0, tensor(rows)).to_type(ScalarType.Float32);
        // The rows are encoded against the scales as stored, so that 16-bit rounding of a scale adds no error of its own.
        var scale = Half(kept.abs().amax(1) / levels);
        // an all-zero row (or one too small for a 16-bit scale) gets scale 1 so that it divides safely; it encodes as zeros
        var safe = where(scale > 0, scale, ones_like(scale));
        var quantized = (kept / safe.to_type(ScalarType.Float32).unsqueeze(1)).round().clamp(-levels, levels);
        var encoded = new List<(string, Tensor)>
        {
            bits == 8 ? (name + Int8Suffix, quantized.to_type(ScalarType.Int8).MoveToOuterDisposeScope()) : (name + PackedSuffix + bits, Pack(quantized, bits).MoveToOuterDisposeScope()),
            (name + ScaleSuffix, safe.MoveToOuterDisposeScope()),
        };
        if (rows is not null)
            encoded.Add((name + RowsSuffix, tensor(rows.Select(r => (int)r).ToArray()).MoveToOuterDisposeScope()));
        return encoded;
    }

    /// <summary>
    /// Packs <paramref name="bits"/>-bit integers, eight to <paramref name="bits"/> bytes: <c>[rows, columns]</c> of
    /// ±(2^(bits-1) - 1) to U8 <c>[rows, ⌈columns / 8⌉ × bits]</c>; each value is stored plus 2^(bits-1), little-endian,
    /// the first column in the lowest bits.
    /// </summary>
    private static Tensor Pack(Tensor values, int bits)
    {
        long rows = values.shape[0], groups = (values.shape[1] + 7) / 8;
        var offset = (values + (1 << (bits - 1))).to_type(ScalarType.Int64);
        if (offset.shape[1] < groups * 8)
            offset = cat([offset, zeros([rows, groups * 8 - offset.shape[1]], ScalarType.Int64)], 1);
        var shifts = arange(0, 8 * bits, bits, dtype: ScalarType.Int64);
        var words = offset.view(rows, groups, 8).bitwise_left_shift(shifts).sum(2, keepdim: true, type: ScalarType.Int64);
        var bytes = words.bitwise_right_shift(arange(0, 8 * bits, 8, dtype: ScalarType.Int64)).bitwise_and(255);
        return bytes.to_type(ScalarType.Byte).view(rows, groups * bits);
    }

    /// <summary>
    /// The inverse of <see cref="Encode"/>, in place: writes integer × scale into row <c>rows[i]</c> (row i when
    /// <paramref name="rows"/> is null) of the float32 target, unpacking <see cref="Pack"/>'s layout for fewer than 8 bits.
    /// </summary>
    /// <remarks>In managed code over the tensors' memory: libtorch's unpacking through int64 tensors took longer than the rest of a bag model's load.</remarks>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static unsafe void Dequantize(Tensor integers, int bits, Tensor scales, int[]? rows, Tensor target)
    {
        float* output = TensorMemory.Floats(target);
        float* scale = TensorMemory.Floats(scales);
        byte* input = TensorMemory.Bytes(integers);
        if (output is null || scale is null || input is null)
            throw new NotSupportedException("Quantized weights load into dense float32 parameters on the CPU.");
        // shapes read once: each read is a native call
        long kept = integers.shape[0], columns = target.shape[1], stride = integers.shape[1], offset = 1L << (bits - 1);
        ulong mask = (1UL << bits) - 1;
        for (long i = 0; i < kept; i++)
        {
            float* row = output + (rows is null ? i : rows[i]) * columns;
            byte* from = input + i * stride;
            float factor = scale[i];
            if (bits == 8)
            {
                for (long c = 0; c < columns; c++) row[c] = ((sbyte*)from)[c] * factor;
                continue;
            }
            for (long group = 0; group * 8 < columns; group++, from += bits)
            {
                ulong word = 0;
                for (int b = 0; b < bits; b++) word |= (ulong)from[b] << (8 * b);
                for (long c = group * 8; c < Math.Min(columns, group * 8 + 8); c++, word >>= bits)
                    row[c] = ((long)(word & mask) - offset) * factor;
            }
        }
    }

    /// <summary>
    /// The tensor in 16-bit floats (half the bytes; 11 significant bits, far finer than 8-bit rows), or itself when a value
    /// lies beyond float16's range (±65,504).
    /// </summary>
    /// <returns>A new tensor in the caller's dispose scope, or <paramref name="values"/>.</returns>
    public static Tensor Half(Tensor values)
    {
        using var noGrad = no_grad();
        bool fits;
        using (var scope = NewDisposeScope())
            fits = values.numel() == 0 || values.abs().max().item<float>() <= 65504f;
        return fits ? values.to_type(ScalarType.Float16) : values;
    }

    /// <summary>
    /// Loads a quantized file into float targets (keyed by the model's names, as <see cref="SafeTensors.LoadInto"/> does):
    /// quantized matrices are checked against their targets, read, and dequantized; plain tensors load as usual.
    /// </summary>
    /// <exception cref="InvalidDataException">A quantized matrix lacks its scales, has the wrong dtype or shape, or lists rows out of order or range.</exception>
    public static IReadOnlyList<string> LoadInto(string path, IReadOnlyDictionary<string, SafeTensorEntry> header, IReadOnlyDictionary<string, Tensor> targets, Func<string, string> rename)
    {
        var read = new Dictionary<string, Tensor>(StringComparer.Ordinal);
        var staged = new List<(Tensor Target, string Name, string Matrix, bool Pruned)>();
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
                else if (IsMatrix(entry.Name))
                {
                    bool pruned = Stage(path, header, entry, parameter, target, read);
                    staged.Add((target, parameter, entry.Name, pruned));
                    loaded.Add(rename(parameter));
                }
            }
            SafeTensors.LoadInto(path, read, header: header);
            using var noGrad = no_grad();
            foreach (var (target, name, matrix, pruned) in staged)
            {
                int[]? rows = null;
                if (pruned)
                {
                    rows = read[name + RowsSuffix].data<int>().ToArray();
                    long targetRows = target.shape[0];
                    for (int i = 0; i < rows.Length; i++)
                        if (rows[i] < 0 || rows[i] >= targetRows || (i > 0 && rows[i] <= rows[i - 1]))
                            throw new InvalidDataException($"{path}: tensor '{name}{RowsSuffix}' must list rows in increasing order within [0, {targetRows}) (entry {i} is {rows[i]}).");
                    target.zero_();
                }
                Dequantize(read[matrix], Bits(matrix)!.Value, read[name + ScaleSuffix], rows, target);
            }
        }
        finally
        {
            foreach (var (name, tensor) in read)
                if (name != ParameterName(name)) tensor.Dispose();
        }
        return targets.Keys.Where(k => !loaded.Contains(k)).ToList();
    }

    /// <summary>Checks a quantized matrix and its companions against the float target and allocates tensors to read them into; returns whether rows were pruned.</summary>
    private static bool Stage(string path, IReadOnlyDictionary<string, SafeTensorEntry> header, SafeTensorEntry matrix, string name, Tensor target, Dictionary<string, Tensor> read)
    {
        string where = $"{path}: tensor '{matrix.Name}'";
        int bits = Bits(matrix.Name)!.Value;
        var (dtype, type) = bits < 8 ? ("U8", ScalarType.Byte) : ("I8", ScalarType.Int8);
        long? columns = target.shape.Length == 2 ? (bits < 8 ? (target.shape[1] + 7) / 8 * bits : target.shape[1]) : null;
        if (matrix.DType != dtype || matrix.Shape.Length != 2 || columns is null || matrix.Shape[1] != columns || matrix.Shape[0] > target.shape[0])
            throw new InvalidDataException($"{where} must be {dtype} [rows, {columns?.ToString(System.Globalization.CultureInfo.InvariantCulture) ?? "?"}] with at most {target.shape[0]} rows for a parameter of shape [{string.Join(", ", target.shape)}] (was {matrix.DType} [{string.Join(", ", matrix.Shape)}]).");
        long kept = matrix.Shape[0];
        if (!header.TryGetValue(name + ScaleSuffix, out var scale) || scale.DType is not ("F16" or "F32") || !scale.Shape.SequenceEqual([kept]))
            throw new InvalidDataException($"{path}: tensor '{name}{ScaleSuffix}' must be F16 or F32 [{kept}], one scale per row of '{matrix.Name}'.");
        bool pruned = header.TryGetValue(name + RowsSuffix, out var rows);
        if (pruned && (rows!.DType != "I32" || !rows.Shape.SequenceEqual([kept])))
            throw new InvalidDataException($"{path}: tensor '{name}{RowsSuffix}' must be I32 [{kept}], the row of each of '{matrix.Name}'.");
        if (!pruned && kept != target.shape[0])
            throw new InvalidDataException($"{where} has {kept} rows but the parameter has {target.shape[0]}, and there is no '{name}{RowsSuffix}' saying which they are.");
        read[matrix.Name] = empty([kept, columns.Value], type);
        read[scale.Name] = empty([kept], ScalarType.Float32);
        if (pruned) read[rows!.Name] = empty([kept], ScalarType.Int32);
        return pruned;
    }
}
