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

    public static int Main(string[] args)
    {
        if (args is [CrashChild, string root])
            return CrashDuringSaveTests.RunChild(root);
        if (args is [SaveChild, string directory])
            return CrashDuringSaveTests.RunSaveChild(directory);
        return 0;
    }
}
