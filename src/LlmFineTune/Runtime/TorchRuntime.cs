using System.Runtime.InteropServices;
using LlmFineTune.Build;
using TorchSharp;

namespace LlmFineTune.Runtime;

/// <summary>
/// The one place through which LlmFineTune first touches libtorch. It turns TorchSharp's
/// misleading start-up failure ("doesn't contain a reference to libtorch-cpu") into a
/// <see cref="TorchUnavailableException"/> that names the real cause and the fix, and applies
/// LlmFineTune's process-wide performance defaults (see <see cref="PerformanceDefaults"/>).
/// </summary>
public static class TorchRuntime
{
    /// <summary>The environment variable that switches the performance defaults on (<c>1</c> or <c>true</c>) or off (<c>0</c> or <c>false</c>) without a code change.</summary>
    public const string PerformanceDefaultsVariable = "LLMFINETUNE_PERFORMANCE_DEFAULTS";

    private const string NativeLibraryName = "libLibTorchSharp.so";
    private const string LibStdCxx = "libstdc++.so.6";

    private static readonly Lazy<Exception?> Failure = new(Probe, LazyThreadSafetyMode.ExecutionAndPublication);
    private static bool performanceDefaults = IsOn(Environment.GetEnvironmentVariable(PerformanceDefaultsVariable));

    /// <summary>
    /// Whether the first torch use tunes the whole process for training: glibc's malloc keeps
    /// buffers below 32 MiB in its heap and keeps up to 512 MiB of freed memory for reuse (instead
    /// of mapping and faulting in every gradient and optimizer temporary afresh each step), and
    /// libtorch's intra-op threads are capped at <see cref="Environment.ProcessorCount"/> (which,
    /// unlike libtorch's own count, honours container CPU limits and affinity).
    /// </summary>
    /// <value>
    /// False unless the environment variable <c>LLMFINETUNE_PERFORMANCE_DEFAULTS</c> is <c>1</c> or <c>true</c>:
    /// a library does not change its host's allocator unasked. The <c>llmft</c> tool, the examples and
    /// the benchmarks turn it on.
    /// </value>
    /// <remarks>
    /// Turn it on at the start of a training program, before any model or tensor exists:
    /// <c>TorchRuntime.PerformanceDefaults = true;</c>. The settings are process-wide, so leave it off
    /// in a host whose other parts tune malloc or libtorch's threads themselves. Without glibc
    /// (Windows, macOS, musl) the allocator part does nothing. Measured effect: docs/performance-defaults.md.
    /// </remarks>
    /// <exception cref="InvalidOperationException">Set after torch was first used, when the choice no longer has any effect.</exception>
    public static bool PerformanceDefaults
    {
        get => performanceDefaults;
        set
        {
            if (Failure.IsValueCreated && value != performanceDefaults)
                throw new InvalidOperationException($"{nameof(TorchRuntime)}.{nameof(PerformanceDefaults)} must be set before the first model or tensor is created; torch is already initialised. Set it at the start of the program, or set the environment variable {PerformanceDefaultsVariable}=1.");
            performanceDefaults = value;
        }
    }

    /// <summary>Whether the glibc allocator settings are in effect (false when switched off or not on glibc).</summary>
    internal static bool AllocatorTuned { get; private set; }

    /// <summary>Loads TorchSharp's native runtime once; later calls are free.</summary>
    /// <exception cref="TorchUnavailableException">The native runtime cannot be loaded here.</exception>
    public static void EnsureAvailable()
    {
        if (Failure.Value is { } failure)
            throw failure;
    }

    /// <summary>
    /// Hands free native heap memory back to the operating system (glibc's <c>malloc_trim</c>).
    /// Call it between phases (after training, between epochs), not every step: the next step
    /// faults the memory in again.
    /// </summary>
    /// <returns>True when memory was released.</returns>
    internal static bool ReleaseFreeNativeMemory() => NativeAllocator.Trim();

    private static Exception? Probe()
    {
        try
        {
            // Before libtorch's first allocation, so its buffers are placed by the tuned rules from the start.
            if (performanceDefaults)
                AllocatorTuned = NativeAllocator.Tune();
            torch.InitializeDeviceType(DeviceType.CPU);
            if (performanceDefaults && torch.get_num_threads() > Environment.ProcessorCount)
                torch.set_num_threads(Environment.ProcessorCount);
            return null;
        }
        catch (Exception e) when (e is TypeInitializationException or NotSupportedException or DllNotFoundException or EntryPointNotFoundException)
        {
            return new TorchUnavailableException(Diagnose(), e);
        }
    }

    /// <summary>Explains why libLibTorchSharp.so does not load, reading the files the loader would.</summary>
    internal static string Diagnose()
    {
        if (!OperatingSystem.IsLinux())
            return "TorchSharp's native runtime failed to load. Reference the TorchSharp-cpu package (LlmFineTune brings it) and build for a supported platform (linux-x64, win-x64, osx-arm64); see the inner exception.";

        var candidates = CandidatePaths().ToList();
        string? native = candidates.FirstOrDefault(File.Exists);
        if (native is null)
            return $"TorchSharp's native library {NativeLibraryName} is not in the app's output (looked in: {string.Join(", ", candidates)}). " +
                   "Reference the LlmFineTune (or TorchSharp-cpu) package from the app project itself and rebuild, so that the native files are copied next to it.";

        string loaderError = TryLoad(native);
        try
        {
            byte[] bytes = File.ReadAllBytes(native);
            var strongNeeds = ElfVersionNeeds.ReadNeeds(bytes, native)
                .Where(n => n.Library == LibStdCxx && !n.IsWeak)
                .Select(n => n.Version)
                .ToList();
            string? system = SystemLibStdCxx();
            if (system is not null)
            {
                var defined = ElfVersionNeeds.ReadDefinitions(File.ReadAllBytes(system), system).ToHashSet(StringComparer.Ordinal);
                var missing = strongNeeds.Where(v => !defined.Contains(v)).ToList();
                if (missing.Count > 0)
                {
                    string newest = defined.Where(v => v.StartsWith("GLIBCXX_", StringComparison.Ordinal))
                        .OrderBy(v => Version.TryParse(v["GLIBCXX_".Length..], out var parsed) ? parsed : new Version())
                        .LastOrDefault() ?? "none";
                    return $"TorchSharp's native library {native} needs {string.Join(", ", missing)} from {LibStdCxx}, which {system} does not define (its newest is {newest}). " +
                           "LlmFineTune's build step marks the GLIBCXX_3.4.32 need weak in the app's output; it did not run on this copy. " +
                           "Fix: build or publish the app with a PackageReference to LlmFineTune (its buildTransitive target patches the file; check that LlmFineTunePatchLibTorchSharp is not false), " +
                           $"or install the libstdc++ of GCC 13 or newer. Loader said: {loaderError}";
                }
            }
        }
        catch (InvalidDataException e)
        {
            return $"TorchSharp's native library {native} is not a valid x86-64 ELF file ({e.Message}). Delete the app's bin/obj folders and rebuild. Loader said: {loaderError}";
        }

        return $"TorchSharp's native library {native} failed to load: {loaderError}. " +
               "Check that every file of the libtorch-cpu-linux-x64 package sits beside it (a missing libtorch_cpu.so or libc10.so is named above) and that the machine is x86-64 glibc Linux.";
    }

    private static bool IsOn(string? value) =>
        value is not null && (value.Trim() == "1" || value.Trim().Equals("true", StringComparison.OrdinalIgnoreCase));

    private static IEnumerable<string> CandidatePaths()
    {
        var folders = new[] { AppContext.BaseDirectory, Path.GetDirectoryName(typeof(torch).Assembly.Location) ?? "" }
            .Where(f => f.Length > 0)
            .Distinct(StringComparer.Ordinal);
        foreach (string folder in folders)
        {
            yield return Path.Combine(folder, "runtimes", "linux-x64", "native", NativeLibraryName);
            yield return Path.Combine(folder, NativeLibraryName);
        }
    }

    private static string TryLoad(string path)
    {
        try
        {
            NativeLibrary.Free(NativeLibrary.Load(path));
            return "the file itself loads";
        }
        catch (DllNotFoundException e)
        {
            return e.Message;
        }
    }

    private static string? SystemLibStdCxx()
    {
        string[] folders = ["/usr/lib/x86_64-linux-gnu", "/lib/x86_64-linux-gnu", "/usr/lib64", "/lib64", "/usr/lib"];
        return folders.Select(f => Path.Combine(f, LibStdCxx)).FirstOrDefault(File.Exists);
    }
}
