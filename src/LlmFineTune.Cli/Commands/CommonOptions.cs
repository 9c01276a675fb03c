using System.CommandLine;
using LlmFineTune.Data;
using LlmFineTune.Modeling;

namespace LlmFineTune.Cli.Commands;

/// <summary>Options several verbs share, so they are spelled and described the same everywhere.</summary>
internal static class CommonOptions
{
    public static Option<int> Seed() => new("--seed") { Description = "Seed for weights, shuffling and masking (same seed, same data, same result).", DefaultValueFactory = _ => 42 };

    public static Option<int?> MaxLength(string what) => new("--max-length") { Description = $"Most tokens per {what}." };

    public static Option<int?> MaxPositions() => new("--max-positions") { Description = "Rows of a new transformer's position table (the longest input it can ever read), separate from --max-length (default: the preset's, see docs/presets.md)." };

    /// <summary><c>--backbone</c>, accepting the names of the preset catalogue (<see cref="ModelPresets"/>).</summary>
    public static Option<string?> Backbone(string description, IEnumerable<string>? names = null)
    {
        var option = new Option<string?>("--backbone") { Description = description };
        option.AcceptOnlyFromAmong([.. names ?? ModelPresets.Names]);
        return option;
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
