using System.CommandLine;
using LlmFineTune.Data;

namespace LlmFineTune.Cli.Commands;

/// <summary>Options several verbs share, so they are spelled and described the same everywhere.</summary>
internal static class CommonOptions
{
    public static Option<int> Seed() => new("--seed") { Description = "Seed for weights, shuffling and masking (same seed, same data, same result).", DefaultValueFactory = _ => 42 };

    public static Option<int?> MaxLength(string what) => new("--max-length") { Description = $"Most tokens per {what}." };

    /// <summary>Transformers spend two positions on [CLS] and [SEP] (or BOS/EOS); shorter leaves no room for a word.</summary>
    public const int ShortestTransformerLength = 3;

    /// <summary>Refuses a <c>--max-length</c> that leaves a transformer no position for a real token.</summary>
    public static void RequireRoomForText(int? maxLength, string backbone)
    {
        if (maxLength is < ShortestTransformerLength and var length && backbone != "bag")
            throw new ArgumentException($"--max-length {length} leaves the {backbone} backbone no room for a word beside its two special tokens; use at least {ShortestTransformerLength} (the default is 128).");
    }

    public static Option<int?> Threads() => new("--threads") { Description = "Threads libtorch uses inside each operation (intra-op); default: one per core." };

    /// <summary>Applies <c>--threads</c> to libtorch.</summary>
    public static void ApplyThreads(int? threads)
    {
        if (threads is not { } n) return;
        if (n < 1)
            throw new ArgumentException($"--threads must be at least 1 (was {n}).");
        Runtime.TorchRuntime.EnsureAvailable();
        TorchSharp.torch.set_num_threads(n);
    }

    public static Option<string?> Format()
    {
        var option = new Option<string?>("--format") { Description = "Dataset format; by default chosen from the extension (.tsv label<TAB>text, .csv, .jsonl, .txt fastText)." };
        option.AcceptOnlyFromAmong([.. TextDatasetFiles.FormatNames]);
        return option;
    }

    public static Option<string> RequiredPath(string name, string description) => new(name) { Description = description, Required = true };

    /// <summary>
    /// Reads a labeled file by the <c>--format</c> given or its extension, after checking that <paramref name="flag"/> names a readable file;
    /// what the loader decided on the user's behalf (a header line read as column names, say) goes to stderr as a note.
    /// </summary>
    public static TextDataset Load(CliContext cli, string flag, string path, string? format, TextDatasetLoadOptions? options = null)
    {
        PathChecks.InputFile(flag, path);
        var data = TextDatasetFiles.Load(path, format is null ? null : TextDatasetFiles.ParseFormat(format), options);
        foreach (string note in data.LoadReport?.Notes ?? [])
            cli.Error.WriteLine($"llmft: note: {flag} {note}");
        return data;
    }
}
