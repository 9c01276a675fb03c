namespace LlmFineTune.StepRunner;

/// <summary>What the kernel and TorchSharp say about this process's memory.</summary>
internal static class ProcessStats
{
    /// <summary>Resident set size in MiB (VmRSS of /proc/self/status).</summary>
    public static double RssMb()
    {
        foreach (string line in File.ReadLines("/proc/self/status"))
            if (line.StartsWith("VmRSS:", StringComparison.Ordinal))
                return Math.Round(long.Parse(line.AsSpan(6).Trim().TrimEnd("kB").Trim()) / 1024.0, 1);
        return double.NaN;
    }

    /// <summary>Minor page faults of the whole process so far (field 10 of /proc/self/stat).</summary>
    public static long MinorFaults()
    {
        string stat = File.ReadAllText("/proc/self/stat");
        return long.Parse(stat[(stat.LastIndexOf(')') + 2)..].Split(' ')[7]);
    }

    /// <summary>Tensors created and not yet disposed on this thread, as TorchSharp's dispose scopes count them.</summary>
    public static long LiveTensors() => TorchSharp.DisposeScopeManager.Statistics.ThreadTotalLiveCount;

    public static double ManagedMb() => Math.Round(GC.GetTotalMemory(false) / 1048576.0, 2);

    public static double Median(IReadOnlyCollection<double> values)
    {
        var sorted = values.Order().ToArray();
        int n = sorted.Length;
        return n == 0 ? double.NaN : n % 2 == 1 ? sorted[n / 2] : 0.5 * (sorted[n / 2 - 1] + sorted[n / 2]);
    }
}
