using System.Runtime.InteropServices;
using LlmFineTune.Runtime;

namespace LlmFineTune.Tests.Runtime;

[TestClass]
[DoNotParallelize]
public sealed class NativeAllocatorTests
{
    private const int BlockBytes = 12 << 20;
    private const int Blocks = 3;
    private const int PagesPerRound = Blocks * BlockBytes / 4096;

    [TestInitialize]
    public void RequireGlibc()
    {
        TorchRuntime.EnsureAvailable();
        if (!NativeAllocator.IsGlibc)
            Assert.Inconclusive("The allocator settings apply to glibc only.");
        if (!TorchRuntime.PerformanceDefaults)
            Assert.Inconclusive($"{TorchRuntime.PerformanceDefaultsVariable} is not on in this environment.");
    }

    [TestMethod]
    public void EnsureAvailable_Glibc_TunesAllocator()
    {
        Assert.IsTrue(TorchRuntime.AllocatorTuned);
    }

    [TestMethod]
    public void TunedAllocator_SameBuffersEveryStep_ReusesPagesInsteadOfFaultingThemIn()
    {
        // glibc's defaults map and unmap 12 MiB buffers (or trim them off the heap) each round, so each
        // round faults all ~9,200 pages in again; tuned, rounds after the first reuse the heap.
        long[] faults = OnFreshThread(() => Enumerable.Range(0, 4).Select(_ => FaultsOfOneRound()).ToArray());

        long later = faults.Skip(1).Sum();
        Assert.IsLessThan(PagesPerRound, later, $"page faults per round: {string.Join(", ", faults)}");
    }

    [TestMethod]
    public void PerformanceDefaults_SetAfterTorchStarted_ThrowsNamingTheEnvironmentVariable()
    {
        bool current = TorchRuntime.PerformanceDefaults;

        var e = Assert.ThrowsExactly<InvalidOperationException>(() => TorchRuntime.PerformanceDefaults = !current);

        StringAssert.Contains(e.Message, TorchRuntime.PerformanceDefaultsVariable);
        Assert.AreEqual(current, TorchRuntime.PerformanceDefaults);
    }

    private static long FaultsOfOneRound()
    {
        long before = MinorFaults();
        var blocks = new nint[Blocks];
        for (int b = 0; b < Blocks; b++)
        {
            blocks[b] = Marshal.AllocHGlobal(BlockBytes);
            for (int offset = 0; offset < BlockBytes; offset += 4096)
                Marshal.WriteByte(blocks[b], offset, 1);
        }
        foreach (nint block in blocks)
            Marshal.FreeHGlobal(block);
        return MinorFaults() - before;
    }

    /// <summary>Runs on a new thread so that the measurement sees one malloc arena and no other test's memory.</summary>
    private static T OnFreshThread<T>(Func<T> body)
    {
        T result = default!;
        Exception? failure = null;
        var thread = new Thread(() =>
        {
            try { result = body(); }
            catch (Exception e) { failure = e; }
        });
        thread.Start();
        thread.Join();
        if (failure is not null)
            throw failure;
        return result;
    }

    private static long MinorFaults()
    {
        string stat = File.ReadAllText("/proc/thread-self/stat");
        return long.Parse(stat[(stat.LastIndexOf(')') + 2)..].Split(' ')[7]); // field 10: minflt
    }
}
