using System.Text;
using LlmFineTune.Data;

namespace LlmFineTune.Benchmarks;

/// <summary>Finds the real data the benchmarks run on (built by ../shared/data/build.sh).</summary>
internal static class BenchmarkData
{
    private static string Root =>
        Environment.GetEnvironmentVariable("LLMFT_DATA") is { Length: > 0 } dir
            ? dir
            : Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".cache", "llmfinetune-data");

    public static string Require(string relative, string buildSet)
    {
        string path = Path.Combine(Root, relative);
        return File.Exists(path)
            ? path
            : throw new FileNotFoundException($"{path} is missing; run ../shared/data/build.sh {buildSet} (or set LLMFT_DATA).", path);
    }

    /// <summary>The first documents of the debian-descriptions corpus, up to <paramref name="bytes"/> UTF-8 bytes.</summary>
    public static (string[] Documents, long Bytes) DebianDescriptions(long bytes)
    {
        var corpus = TextCorpus.FromFile(Require("corpus/debian-descriptions.txt", "debian_sections"));
        var documents = new List<string>();
        long total = 0;
        foreach (var document in corpus.Read())
        {
            documents.Add(document.Text);
            total += Encoding.UTF8.GetByteCount(document.Text);
            if (total >= bytes) break;
        }
        return (documents.ToArray(), total);
    }
}
