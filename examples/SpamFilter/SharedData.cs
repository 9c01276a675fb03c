namespace LlmFineTune.Examples.SpamFilter;

/// <summary>Finds the real data sets built by <c>../shared/data/build.sh</c>.</summary>
public static class SharedData
{
    /// <summary>The data root: <c>$LLMFT_DATA</c>, else <c>~/.cache/llmfinetune-data</c>.</summary>
    public static string Root =>
        Environment.GetEnvironmentVariable("LLMFT_DATA") is { Length: > 0 } root
            ? root
            : Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".cache", "llmfinetune-data");

    /// <summary>The path of a labeled split, such as <c>labeled/spamassassin.train.tsv</c>.</summary>
    /// <param name="set">The set's name (<c>spamassassin</c>).</param>
    /// <param name="split"><c>train</c> or <c>test</c>.</param>
    /// <returns>The path, or null when the set has not been built.</returns>
    public static string? Labeled(string set, string split)
    {
        string path = Path.Combine(Root, "labeled", $"{set}.{split}.tsv");
        return File.Exists(path) ? path : null;
    }
}
