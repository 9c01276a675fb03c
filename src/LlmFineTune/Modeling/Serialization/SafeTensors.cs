using System.Buffers.Binary;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using LlmFineTune.Runtime;
using static TorchSharp.torch;

namespace LlmFineTune.Modeling.Serialization;

/// <summary>One tensor's entry in a safetensors header.</summary>
internal sealed record SafeTensorEntry(string Name, string DType, long[] Shape, long Begin, long End);

/// <summary>
/// Reads and writes the safetensors format (u64 little-endian header length, JSON header
/// <c>{name: {dtype, shape, data_offsets}}</c>, raw little-endian data). The reader validates the
/// whole header against the file before it allocates any tensor.
/// </summary>
internal static class SafeTensors
{
    /// <summary>The reference implementation's header limit.</summary>
    public const long MaxHeaderBytes = 100_000_000;

    private static readonly string[] FloatDTypes = ["F64", "F32", "F16", "BF16"];

    private static readonly UTF8Encoding StrictUtf8 = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);

    private static readonly Dictionary<string, (ScalarType Type, int Size)> DTypes = new(StringComparer.Ordinal)
    {
        ["F64"] = (ScalarType.Float64, 8),
        ["F32"] = (ScalarType.Float32, 4),
        ["F16"] = (ScalarType.Float16, 2),
        ["BF16"] = (ScalarType.BFloat16, 2),
        ["I64"] = (ScalarType.Int64, 8),
        ["I32"] = (ScalarType.Int32, 4),
        ["I16"] = (ScalarType.Int16, 2),
        ["I8"] = (ScalarType.Int8, 1),
        ["U8"] = (ScalarType.Byte, 1),
        ["BOOL"] = (ScalarType.Bool, 1),
    };

    /// <summary>The metadata PyTorch's writers put in every file; transformers checks it on load (older releases refuse a file without it).</summary>
    public static IReadOnlyDictionary<string, string> PyTorchMetadata { get; } = new Dictionary<string, string> { ["format"] = "pt" };

    /// <summary>Writes tensors (in name order) atomically: float16 as F16, other floating point as F32, integers in their own dtype (I8, I32, I64, U8).</summary>
    public static void Write(string path, IEnumerable<(string Name, Tensor Tensor)> tensors, IReadOnlyDictionary<string, string>? metadata = null)
    {
        if (!BitConverter.IsLittleEndian)
            throw new PlatformNotSupportedException("Writing safetensors needs a little-endian machine.");
        var ordered = tensors.OrderBy(t => t.Name, StringComparer.Ordinal).ToList();
        var header = new JsonObject();
        if (metadata is not null)
            header["__metadata__"] = new JsonObject(metadata.Select(kv => KeyValuePair.Create(kv.Key, (JsonNode?)kv.Value)));
        long offset = 0;
        foreach (var (name, tensor) in ordered)
        {
            var (dtype, type) = StoredAs(tensor);
            long bytes = tensor.numel() * DTypes[dtype].Size;
            header[name] = new JsonObject
            {
                ["dtype"] = dtype,
                ["shape"] = new JsonArray(tensor.shape.Select(d => (JsonNode?)d).ToArray()),
                ["data_offsets"] = new JsonArray(offset, offset + bytes),
            };
            offset += bytes;
        }
        byte[] json = Encoding.UTF8.GetBytes(header.ToJsonString());
        int padded = (json.Length + 7) / 8 * 8; // 8-byte aligned data, as the reference writer does
        AtomicFile.Write(path, stream =>
        {
            Span<byte> length = stackalloc byte[8];
            BinaryPrimitives.WriteUInt64LittleEndian(length, (ulong)padded);
            stream.Write(length);
            stream.Write(json);
            for (int i = json.Length; i < padded; i++) stream.WriteByte((byte)' ');
            foreach (var (_, tensor) in ordered)
            {
                using var data = tensor.detach().to(CPU).to_type(StoredAs(tensor).Type).contiguous();
                stream.Write(data.bytes);
            }
        });
    }

    private static (string DType, ScalarType Type) StoredAs(Tensor tensor) => tensor.dtype switch
    {
        ScalarType.Int8 => ("I8", ScalarType.Int8),
        ScalarType.Int32 => ("I32", ScalarType.Int32),
        ScalarType.Int64 => ("I64", ScalarType.Int64),
        ScalarType.Byte => ("U8", ScalarType.Byte),
        ScalarType.Float16 => ("F16", ScalarType.Float16),
        _ => ("F32", ScalarType.Float32),
    };

    /// <summary>Reads and validates the header: sizes, dtypes, shapes and that the offsets tile the data exactly.</summary>
    /// <exception cref="InvalidDataException">The file is not a valid safetensors file; the message names the file and tensor.</exception>
    public static IReadOnlyDictionary<string, SafeTensorEntry> ReadHeader(string path)
    {
        using var stream = OpenRegularFile(path, $"{path}: file not found.");
        return ReadHeader(stream, path);
    }

    /// <summary>
    /// Opens the weights for reading after checking they are a regular file: opening a pipe blocks until
    /// something writes to it, so a FIFO (or device) named model.safetensors would hang the load. Such
    /// files report 0 bytes, which no safetensors file has.
    /// </summary>
    private static FileStream OpenRegularFile(string path, string notFound)
    {
        var info = new FileInfo(path);
        if (!info.Exists)
            throw new FileNotFoundException(notFound, path);
        if (info.Length == 0)
            throw new InvalidDataException($"{path}: the file is empty, or not a regular file (a pipe, socket or device). The weights must be a regular safetensors file.");
        return new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read);
    }

    private static Dictionary<string, SafeTensorEntry> ReadHeader(FileStream stream, string path)
    {
        long fileLength = stream.Length;
        if (fileLength < 8)
            throw new InvalidDataException($"{path}: {fileLength} bytes is too short for a safetensors file (needs an 8-byte header length).");
        Span<byte> lengthBytes = stackalloc byte[8];
        stream.ReadExactly(lengthBytes);
        ulong headerLength = BinaryPrimitives.ReadUInt64LittleEndian(lengthBytes);
        if (headerLength > MaxHeaderBytes)
            throw new InvalidDataException($"{path}: header length {headerLength} exceeds the limit of {MaxHeaderBytes} bytes; the file is corrupt or not safetensors.");
        if ((long)headerLength > fileLength - 8)
            throw new InvalidDataException($"{path}: header length {headerLength} runs past the end of the file ({fileLength} bytes); the file is truncated or corrupt.");
        var headerBytes = new byte[headerLength];
        stream.ReadExactly(headerBytes);
        long dataLength = fileLength - 8 - (long)headerLength;

        string headerText;
        try
        {
            headerText = StrictUtf8.GetString(headerBytes);
        }
        catch (DecoderFallbackException e)
        {
            throw new InvalidDataException($"{path}: the header is not valid UTF-8 ({e.Message}); the file is corrupt or not safetensors.", e);
        }
        var header = JsonFiles.Parse(headerText, path + " header") as JsonObject
            ?? throw new InvalidDataException($"{path}: the header is not a JSON object.");

        var entries = new Dictionary<string, SafeTensorEntry>(StringComparer.Ordinal);
        foreach (var (name, node) in header)
        {
            if (name == "__metadata__") continue;
            entries[name] = ParseEntry(path, name, node, dataLength);
        }

        long expected = 0;
        foreach (var entry in entries.Values.OrderBy(e => e.Begin).ThenBy(e => e.End))
        {
            if (entry.Begin < expected)
                throw new InvalidDataException($"{path}: tensor '{entry.Name}' data [{entry.Begin}, {entry.End}) overlaps the previous tensor (which ends at {expected}).");
            if (entry.Begin > expected)
                throw new InvalidDataException($"{path}: bytes [{expected}, {entry.Begin}) before tensor '{entry.Name}' belong to no tensor; the offsets must cover the data contiguously.");
            expected = entry.End;
        }
        if (expected != dataLength)
            throw new InvalidDataException($"{path}: the tensors cover {expected} bytes but the data section has {dataLength}; the file is truncated or has trailing bytes.");
        return entries;
    }

    /// <summary>Where the data section starts, from the length prefix alone, checking that the file still has the header's size.</summary>
    private static long DataStart(FileStream stream, string path, IReadOnlyDictionary<string, SafeTensorEntry> header)
    {
        Span<byte> lengthBytes = stackalloc byte[8];
        stream.ReadExactly(lengthBytes);
        long dataStart = 8 + (long)Math.Min(BinaryPrimitives.ReadUInt64LittleEndian(lengthBytes), (ulong)MaxHeaderBytes);
        // The header's offsets tile the data section exactly, so its end is the file's length.
        long dataLength = header.Values.Select(e => e.End).DefaultIfEmpty(0).Max();
        if (dataStart + dataLength != stream.Length)
            throw new InvalidDataException($"{path}: the file changed after its header was read (it has {stream.Length} bytes, the header describes {dataStart + dataLength}). Load the model again once it is saved.");
        return dataStart;
    }

    private static SafeTensorEntry ParseEntry(string path, string name, JsonNode? node, long dataLength)
    {
        string where = $"{path}: tensor '{name}'";
        if (node is not JsonObject entry)
            throw new InvalidDataException($"{where}: expected an object with dtype, shape and data_offsets.");
        string dtype = entry["dtype"] is JsonValue d && d.TryGetValue(out string? s) ? s : throw new InvalidDataException($"{where}: dtype is missing or not a string.");
        if (!DTypes.TryGetValue(dtype, out var type))
            throw new InvalidDataException($"{where}: unknown dtype '{dtype}'. Known: {string.Join(", ", DTypes.Keys)}.");
        long[] shape = Longs(entry["shape"], where, "shape");
        long[] offsets = Longs(entry["data_offsets"], where, "data_offsets");
        if (offsets.Length != 2 || offsets[0] > offsets[1])
            throw new InvalidDataException($"{where}: data_offsets must be [begin, end] with begin <= end (was [{string.Join(", ", offsets)}]).");
        if (offsets[1] > dataLength)
            throw new InvalidDataException($"{where}: data_offsets [{offsets[0]}, {offsets[1]}] run past the data section ({dataLength} bytes).");
        long bytes = type.Size;
        try
        {
            foreach (long dimension in shape) bytes = checked(bytes * dimension);
        }
        catch (OverflowException)
        {
            throw new InvalidDataException($"{where}: shape [{string.Join(", ", shape)}] is absurdly large.");
        }
        if (bytes != offsets[1] - offsets[0])
            throw new InvalidDataException($"{where}: shape [{string.Join(", ", shape)}] of {dtype} needs {bytes} bytes but data_offsets span {offsets[1] - offsets[0]}.");
        return new SafeTensorEntry(name, dtype, shape, offsets[0], offsets[1]);
    }

    private static long[] Longs(JsonNode? node, string where, string field)
    {
        if (node is not JsonArray array)
            throw new InvalidDataException($"{where}: {field} is missing or not an array.");
        var values = new long[array.Count];
        for (int i = 0; i < values.Length; i++)
        {
            if (array[i] is not JsonValue v || !v.TryGetValue(out long value) || value < 0)
                throw new InvalidDataException($"{where}: {field} must hold non-negative integers (was {array.ToJsonString()}).");
            values[i] = value;
        }
        return values;
    }

    /// <summary>How many values of a floating-point tensor are NaN or infinite (0 for other dtypes).</summary>
    private static unsafe long NonFinite(Tensor values)
    {
        if (!is_floating_point(values)) return 0;
        // float32, nearly every weight, is counted in managed code: a tenth of the time of libtorch's isfinite pass over a large table
        float* floats = TensorMemory.Floats(values);
        if (floats is not null)
            return TensorMemory.CountNonFinite(floats, values.numel());
        using var scope = NewDisposeScope();
        return values.isfinite().logical_not().sum().item<long>();
    }

    /// <summary>
    /// Copies the file's tensors into <paramref name="targets"/> (keyed by file name) after checking
    /// every shape. Returns the targets the file lacks and the file's names no target wanted.
    /// </summary>
    /// <param name="path">The weights file.</param>
    /// <param name="targets">The tensors to fill, keyed by (renamed) file name.</param>
    /// <param name="rename">Maps the file's names to the targets' keys; none when null.</param>
    /// <param name="header">The file's header when the caller has read it already (it is then not parsed again), or null.</param>
    /// <exception cref="InvalidDataException">The file is invalid, a shape differs from the model's, integer data is stored for a float parameter, or a tensor holds NaN or infinity.</exception>
    public static (IReadOnlyList<string> Missing, IReadOnlyList<string> Unexpected) LoadInto(string path, IReadOnlyDictionary<string, Tensor> targets, Func<string, string>? rename = null,
        IReadOnlyDictionary<string, SafeTensorEntry>? header = null)
    {
        using var stream = OpenRegularFile(path, $"{path}: file not found. A model directory needs model.safetensors.");
        var entries = header ?? ReadHeader(stream, path);
        long dataStart = header is null ? stream.Position : DataStart(stream, path, header);
        var byTarget = new Dictionary<string, SafeTensorEntry>(StringComparer.Ordinal);
        var unexpected = new List<string>();
        foreach (var entry in entries.Values)
        {
            string name = rename?.Invoke(entry.Name) ?? entry.Name;
            if (targets.TryGetValue(name, out var target))
            {
                if (!target.shape.SequenceEqual(entry.Shape))
                    throw new InvalidDataException($"{path}: tensor '{entry.Name}' has shape [{string.Join(", ", entry.Shape)}] but the model expects [{string.Join(", ", target.shape)}]. Does config.json match this weights file?");
                // Integer or boolean data would convert silently into a float parameter; that is a different tensor, not a weight.
                if (is_floating_point(target.dtype) && !FloatDTypes.Contains(entry.DType))
                    throw new InvalidDataException($"{path}: tensor '{entry.Name}' is {entry.DType}, but the model's parameter is floating point. Save the weights as {string.Join(", ", FloatDTypes)}.");
                byTarget[name] = entry;
            }
            else unexpected.Add(entry.Name);
        }
        using var noGrad = no_grad();
        foreach (var (name, entry) in byTarget.OrderBy(e => e.Value.Begin))
        {
            stream.Position = dataStart + entry.Begin;
            // Read straight into a tensor's storage: no managed copy of a table that may be hundreds of megabytes.
            using var loaded = empty(entry.Shape, DTypes[entry.DType].Type);
            TensorMemory.ReadInto(stream, loaded);
            // NaN or infinite weights poison every prediction silently; refuse them here, with the tensor's name.
            long bad = NonFinite(loaded);
            if (bad > 0)
                throw new InvalidDataException($"{path}: tensor '{entry.Name}' holds {bad} NaN or infinite value(s). The checkpoint is corrupt or its training diverged; load an earlier checkpoint.");
            targets[name].copy_(loaded);
        }
        var missing = targets.Keys.Where(k => !byTarget.ContainsKey(k)).ToList();
        return (missing, unexpected);
    }
}
