using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using static TorchSharp.torch;

namespace LlmFineTune.Runtime;

/// <summary>
/// Reads and writes a tensor's storage in place. TorchSharp 0.107 copies on every managed access (<c>data&lt;T&gt;()</c>,
/// <c>bytes</c>); code that reads a few rows of a large table per call, or fills a large table from a file, needs the
/// storage itself.
/// </summary>
/// <remarks>
/// A pointer is valid while its tensor lives and keeps its storage: callers hold one for a single call (under a lease that
/// keeps the module from being disposed) and ask again on the next, so what they read is always the current values (an
/// optimizer step or a load writes into the same storage).
/// </remarks>
internal static unsafe class TensorMemory
{
    /// <summary>The first float of a dense, contiguous float32 CPU tensor, or null for any other tensor.</summary>
    public static float* Floats(Tensor tensor) =>
        tensor.dtype == ScalarType.Float32 ? (float*)Bytes(tensor) : null;

    /// <summary>The first byte of a dense, contiguous CPU tensor, or null for any other tensor.</summary>
    public static byte* Bytes(Tensor tensor) =>
        tensor.device_type != TorchSharp.DeviceType.CPU || tensor.is_sparse || !tensor.is_contiguous() ? null : (byte*)THSTensor_data(tensor.Handle);

    /// <summary>Fills a dense, contiguous CPU tensor with the next bytes of <paramref name="stream"/> (its whole size).</summary>
    /// <exception cref="ArgumentException">The tensor is not dense, contiguous and on the CPU.</exception>
    /// <exception cref="EndOfStreamException">The stream ends first.</exception>
    public static void ReadInto(Stream stream, Tensor tensor)
    {
        byte* start = Bytes(tensor);
        if (start is null)
            throw new ArgumentException("Only a dense, contiguous CPU tensor can be read into.", nameof(tensor));
        long length = tensor.numel() * tensor.element_size();
        for (long done = 0; done < length;)
        {
            int chunk = (int)Math.Min(length - done, 1 << 30);
            stream.ReadExactly(new Span<byte>(start + done, chunk));
            done += chunk;
        }
    }

    /// <summary>How many of <paramref name="count"/> floats are NaN or infinite: those with every exponent bit set.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static long CountNonFinite(float* values, long count)
    {
        const uint exponent = 0x7F80_0000;
        var bits = (uint*)values;
        var mask = new Vector<uint>(exponent);
        long bad = 0, i = 0;
        for (; i <= count - Vector<uint>.Count; i += Vector<uint>.Count)
        {
            var hits = Vector.Equals(Vector.Load(bits + i) & mask, mask);
            if (hits != Vector<uint>.Zero) bad += (long)(-Vector.Sum(hits.As<uint, int>()));
        }
        for (; i < count; i++)
            if ((bits[i] & exponent) == exponent) bad++;
        return bad;
    }

    /// <summary>
    /// TorchSharp's own export (what its TensorAccessor reads through), found in the native library TorchSharp itself
    /// loaded: resolved through TorchSharp's assembly, so it is the same file wherever TorchSharp found it.
    /// </summary>
    private static readonly delegate* unmanaged<IntPtr, IntPtr> DataPointer =
        (delegate* unmanaged<IntPtr, IntPtr>)NativeLibrary.GetExport(
            NativeLibrary.Load("LibTorchSharp", typeof(TorchSharp.torch).Assembly, null), "THSTensor_data");

    private static IntPtr THSTensor_data(IntPtr handle) => DataPointer(handle);
}
