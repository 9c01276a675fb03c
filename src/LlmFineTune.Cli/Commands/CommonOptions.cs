using System.CommandLine;
using LlmFineTune.Data;

namespace LlmFineTune.Cli.Commands;

/// <summary>Options several verbs share, so they are spelled and described the same everywhere.</summary>
internal static class CommonOptions
{
    public static Option<int> Seed() => new("--seed") { Description = "Seed for weights, shuffling and masking (same seed, same data, same result).", DefaultValueFactory = _ => 42 };

    public static Option<int?> MaxLength(string what) => new("--max-length") { Description = $"Most tokens per {what}." };

    public static Option<string?> Format()
    {
        var option = new Option<string?>("--format") { Description = "Dataset format; by default chosen from the extension (.tsv label<TAB>text, .csv, .jsonl, .txt fastText)." };
        option.AcceptOnlyFromAmong([.. TextDatasetFiles.FormatNames]);
        return option;
    }

    public static Option<string> RequiredPath(string name, string description) => new(name) { Description = description, Required = true };

    /// <summary>Reads a labeled file by the <c>--format</c> given or its extension.</summary>
    public static TextDataset Load(string path, string? format, TextDatasetLoadOptions? options = null) =>
        TextDatasetFiles.Load(path, format is null ? null : TextDatasetFiles.ParseFormat(format), options);
}
