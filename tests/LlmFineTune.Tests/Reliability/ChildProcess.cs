namespace LlmFineTune.Tests.Reliability;

/// <summary>
/// The test assembly's entry point. The test runner never calls it; the crash test runs this
/// assembly again (<c>dotnet exec LlmFineTune.Tests.dll crash-child DIR</c>) as a training process it
/// can kill, which needs no extra project to build.
/// </summary>
internal static class ChildProcess
{
    public const string CrashChild = "crash-child";
    public const string SaveChild = "save-child";

    /// <summary>Starts torch as a library user would and prints whether the allocator was tuned.</summary>
    public const string RuntimeDefaultsChild = "runtime-defaults-child";

    public static int Main(string[] args)
    {
        if (args is [CrashChild, string root])
            return CrashDuringSaveTests.RunChild(root);
        if (args is [RuntimeDefaultsChild])
        {
            LlmFineTune.Runtime.TorchRuntime.EnsureAvailable();
            Console.WriteLine(LlmFineTune.Runtime.TorchRuntime.AllocatorTuned);
            return 0;
        }
        if (args is [SaveChild, string directory])
            return CrashDuringSaveTests.RunSaveChild(directory);
        return 0;
    }

    /// <summary>The <c>dotnet</c> host that runs this test process, to start this assembly again as a child.</summary>
    public static string DotnetHost() =>
        Environment.GetEnvironmentVariable("DOTNET_HOST_PATH")
        ?? (Path.GetFileNameWithoutExtension(Environment.ProcessPath) == "dotnet" ? Environment.ProcessPath! : "dotnet");
}
