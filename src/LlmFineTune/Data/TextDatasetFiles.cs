namespace LlmFineTune.Data;

/// <summary>Loads a labeled file whose format is named by its extension (or given), for front ends that take a path from a user.</summary>
public static class TextDatasetFiles
{
    private static readonly (string Name, DatasetFormat Format)[] Names =
        [("tsv", DatasetFormat.Tsv), ("csv", DatasetFormat.Csv), ("jsonl", DatasetFormat.JsonLines), ("json", DatasetFormat.JsonLines), ("fasttext", DatasetFormat.FastText), ("txt", DatasetFormat.FastText), ("ft", DatasetFormat.FastText)];

    /// <summary>The format names <see cref="ParseFormat"/> accepts (also the extensions <see cref="FormatOf"/> knows).</summary>
    public static IReadOnlyList<string> FormatNames { get; } = Names.Select(n => n.Name).ToArray();

    /// <summary>Reads a labeled file in the given format, or the one its extension names.</summary>
    /// <param name="path">The file.</param>
    /// <param name="format">The format; null chooses it from the extension.</param>
    /// <param name="options">How to read it; defaults when null.</param>
    /// <returns>The dataset.</returns>
    /// <exception cref="FileNotFoundException">The file does not exist, or the path is a directory or a broken symbolic link (the message says which).</exception>
    /// <exception cref="ArgumentException">The extension names no known format and none was given.</exception>
    /// <exception cref="InvalidDataException">A record is invalid; the message names file:line.</exception>
    public static TextDataset Load(string path, DatasetFormat? format = null, TextDatasetLoadOptions? options = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        DataFilePath.RequireFile(path);
        return (format ?? FormatOf(path)) switch
        {
            DatasetFormat.Tsv => TextDataset.FromTsv(path, options),
            DatasetFormat.Csv => TextDataset.FromCsv(path, options),
            DatasetFormat.JsonLines => TextDataset.FromJsonLines(path, options),
            DatasetFormat.FastText => TextDataset.FromFastText(path, options),
            var other => throw new ArgumentOutOfRangeException(nameof(format), other, "Unknown format."),
        };
    }

    /// <summary>The format a file's extension names.</summary>
    /// <param name="path">The file name or path.</param>
    /// <returns>The format.</returns>
    /// <exception cref="ArgumentException">The extension is not one of <see cref="FormatNames"/>.</exception>
    public static DatasetFormat FormatOf(string path)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        string extension = Path.GetExtension(path).TrimStart('.');
        return TryParse(extension) ?? throw new ArgumentException(
            $"{path}: the extension '{Path.GetExtension(path)}' names no dataset format. Use one of .{string.Join(", .", FormatNames)} or name the format ({string.Join(", ", FormatNames)}).", nameof(path));
    }

    /// <summary>The format with a given name (case-insensitive).</summary>
    /// <param name="name">One of <see cref="FormatNames"/>.</param>
    /// <returns>The format.</returns>
    /// <exception cref="ArgumentException">The name is unknown; the message lists the known ones.</exception>
    public static DatasetFormat ParseFormat(string name)
    {
        ArgumentException.ThrowIfNullOrEmpty(name);
        return TryParse(name) ?? throw new ArgumentException($"Unknown dataset format '{name}'. Known: {string.Join(", ", FormatNames)}.", nameof(name));
    }

    private static DatasetFormat? TryParse(string name)
    {
        foreach (var (known, format) in Names)
            if (string.Equals(known, name, StringComparison.OrdinalIgnoreCase)) return format;
        return null;
    }
}
