using System.Diagnostics;
using LlmFineTune.Runtime;
using LlmFineTune.Tests.Reliability;
using TorchSharp;

namespace LlmFineTune.Tests.Runtime;

[TestClass]
public sealed class TorchRuntimeTests
{
    [TestMethod]
    public void EnsureAvailable_PatchedOutput_LoadsTorch()
    {
        TorchRuntime.EnsureAvailable();

        using var sum = torch.ones(3, 4).sum();
        Assert.AreEqual(12f, sum.item<float>());
    }

    [TestMethod]
    public void Diagnose_LoadableOutput_NamesTheNativeFile()
    {
        string diagnosis = TorchRuntime.Diagnose();

        StringAssert.Contains(diagnosis, "libLibTorchSharp.so");
    }

    [TestMethod]
    [DataRow(null, "False")]
    [DataRow("1", "True")]
    [DataRow("0", "False")]
    public void EnsureAvailable_FreshProcess_TunesAllocatorOnlyWhenAskedFor(string? variable, string expected)
    {
        if (!NativeAllocator.IsGlibc)
            Assert.Inconclusive("The allocator settings apply to glibc only.");
        var start = new ProcessStartInfo(ChildProcess.DotnetHost())
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            ArgumentList = { "exec", typeof(ChildProcess).Assembly.Location, ChildProcess.RuntimeDefaultsChild },
        };
        start.Environment.Remove(TorchRuntime.PerformanceDefaultsVariable);
        if (variable is not null)
            start.Environment[TorchRuntime.PerformanceDefaultsVariable] = variable;

        using var child = Process.Start(start)!;
        var errors = child.StandardError.ReadToEndAsync();
        string output = child.StandardOutput.ReadToEnd().Trim();
        child.WaitForExit();

        Assert.AreEqual(0, child.ExitCode, errors.Result);
        Assert.AreEqual(expected, output, "a library must not tune its host's allocator unless asked");
    }
}
