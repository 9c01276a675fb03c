namespace LlmFineTune.Tests.Data;

/// <summary>Finds the real data sets built by ../shared/data/build.sh (env LLMFT_DATA or ~/.cache/llmfinetune-data).</summary>
internal static class SharedData
{
    public static string Root =>
        Environment.GetEnvironmentVariable("LLMFT_DATA") is { Length: > 0 } dir
            ? dir
            : Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".cache", "llmfinetune-data");

    /// <summary>The path of a built file; Inconclusive when missing locally, a failure when CI=true.</summary>
    public static string Require(string relative, string buildSet)
    {
        string path = Path.Combine(Root, relative);
        if (File.Exists(path)) return path;
        string message = $"{path} is missing; run ../shared/data/build.sh {buildSet}.";
        if (Environment.GetEnvironmentVariable("CI") == "true") Assert.Fail(message);
        Assert.Inconclusive(message);
        return path;
    }
}
