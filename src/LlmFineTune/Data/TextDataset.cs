using System.Collections;

namespace LlmFineTune.Data;

/// <summary>An in-memory <see cref="ITextDataset"/>, and the factories that build datasets.</summary>
public sealed class TextDataset : ITextDataset
{
    private readonly TextExample[] examples;

    private TextDataset(TextExample[] examples, TaskKind kind, LabelMap labelMap, LoadReport? report)
    {
        this.examples = examples;
        Kind = kind;
        LabelMap = labelMap;
        LoadReport = report;
    }

    /// <summary>What the loader read and skipped; null for datasets not read from a file.</summary>
    public LoadReport? LoadReport { get; }

    /// <summary>Wraps already-checked examples (loaders, splits) without checking them again.</summary>
    internal static TextDataset Create(TextExample[] examples, TaskKind kind, LabelMap labelMap, LoadReport? report = null) =>
        new(examples, kind, labelMap, report);

    /// <summary>
    /// Reads a tab-separated file: <c>label&lt;TAB&gt;text</c> per line, or named columns when <see cref="TextDatasetLoadOptions.HasHeader"/>
    /// is true or the first line names the text and label columns.
    /// </summary>
    /// <remarks>
    /// Unless <see cref="TextDatasetLoadOptions.HasHeader"/> is set, a first line that names both columns (<c>label&lt;TAB&gt;text</c>,
    /// <c>id&lt;TAB&gt;text&lt;TAB&gt;label</c>) is read as a header and one that starts with the label column's name is skipped;
    /// <see cref="LoadReport.Notes"/> says so. Tabs after the text column's start belong to the text.
    /// Labels that look like texts (nearly all distinct while the texts repeat a few values, or longer than the texts) are refused as swapped columns.
    /// </remarks>
    /// <param name="path">The file (UTF-8).</param>
    /// <param name="options">How to read it; defaults when null.</param>
    /// <returns>The dataset; its <see cref="LoadReport"/> counts what was skipped.</returns>
    /// <exception cref="FileNotFoundException">The file does not exist, or the path is a directory or a broken symbolic link (the message says which).</exception>
    /// <exception cref="InvalidDataException">A record is invalid (and the options do not skip it), or no example is valid; the message names file:line and the fix.</exception>
    /// <exception cref="ArgumentException">An option is invalid.</exception>
    public static TextDataset FromTsv(string path, TextDatasetLoadOptions? options = null) =>
        TextDatasetReaders.Tsv(path, options ?? new());

    /// <summary>Reads an RFC 4180 CSV file (quoted fields may hold delimiters, quotes and line breaks), choosing the text and label columns by header name.</summary>
    /// <param name="path">The file (UTF-8).</param>
    /// <param name="options">Column names, delimiter and policies; defaults when null. Without a header the columns are <c>text,label</c>.</param>
    /// <returns>The dataset; its <see cref="LoadReport"/> counts what was skipped.</returns>
    /// <exception cref="FileNotFoundException">The file does not exist, or the path is a directory or a broken symbolic link (the message says which).</exception>
    /// <exception cref="InvalidDataException">A record is invalid (and the options do not skip it), a quote is left open, a column is missing, or no example is valid.</exception>
    /// <exception cref="ArgumentException">An option is invalid.</exception>
    public static TextDataset FromCsv(string path, TextDatasetLoadOptions? options = null) =>
        TextDatasetReaders.Csv(path, options ?? new());

    /// <summary>Reads JSON lines: one object per line such as <c>{"text": "...", "label": "..."}</c>; the label may be a string, an array of strings (multi-label) or a number.</summary>
    /// <param name="path">The file (UTF-8).</param>
    /// <param name="options">Field names and policies; defaults when null.</param>
    /// <returns>The dataset; its <see cref="LoadReport"/> counts what was skipped.</returns>
    /// <exception cref="FileNotFoundException">The file does not exist, or the path is a directory or a broken symbolic link (the message says which).</exception>
    /// <exception cref="InvalidDataException">A record is invalid (and the options do not skip it), or no example is valid.</exception>
    /// <exception cref="ArgumentException">An option is invalid.</exception>
    public static TextDataset FromJsonLines(string path, TextDatasetLoadOptions? options = null) =>
        TextDatasetReaders.JsonLines(path, options ?? new());

    /// <summary>Reads fastText's format: <c>__label__a __label__b text</c>; several labels on a line make the dataset multi-label.</summary>
    /// <param name="path">The file (UTF-8).</param>
    /// <param name="options">Label prefix and policies; defaults when null.</param>
    /// <returns>The dataset; its <see cref="LoadReport"/> counts what was skipped.</returns>
    /// <exception cref="FileNotFoundException">The file does not exist, or the path is a directory or a broken symbolic link (the message says which).</exception>
    /// <exception cref="InvalidDataException">A line has no label or no text (and the options do not skip it), or no example is valid.</exception>
    /// <exception cref="ArgumentException">An option is invalid.</exception>
    public static TextDataset FromFastText(string path, TextDatasetLoadOptions? options = null) =>
        TextDatasetReaders.FastText(path, options ?? new());

    /// <summary>Reads one folder per class: every file matching <see cref="TextDatasetLoadOptions.FilePattern"/> in <c>root/CLASS/</c> is one example of CLASS.</summary>
    /// <param name="root">The folder holding the class folders.</param>
    /// <param name="options">File pattern and policies; defaults when null.</param>
    /// <returns>The dataset; its <see cref="LoadReport"/> counts what was skipped.</returns>
    /// <exception cref="DirectoryNotFoundException">The folder does not exist.</exception>
    /// <exception cref="InvalidDataException">A file is invalid (and the options do not skip it), there are no class folders, or no example is valid.</exception>
    /// <exception cref="ArgumentException">An option is invalid.</exception>
    public static TextDataset FromFolders(string root, TextDatasetLoadOptions? options = null) =>
        TextDatasetReaders.Folders(root, options ?? new());

    /// <inheritdoc />
    public TaskKind Kind { get; }

    /// <inheritdoc />
    public LabelMap LabelMap { get; }

    /// <inheritdoc />
    public int Count => examples.Length;

    /// <inheritdoc />
    public TextExample this[int index] => examples[index];

    /// <summary>Creates a dataset from examples, checking that each carries the target its kind needs.</summary>
    /// <param name="examples">The examples.</param>
    /// <param name="kind">What the targets are. Default single-label.</param>
    /// <param name="labelMap">The classes; by default, the labels that occur, sorted.</param>
    /// <returns>The dataset.</returns>
    /// <exception cref="ArgumentException">An example has an empty text, lacks its target, or names a class outside <paramref name="labelMap"/>.</exception>
    public static TextDataset FromExamples(IEnumerable<TextExample> examples, TaskKind kind = TaskKind.SingleLabel, LabelMap? labelMap = null)
    {
        ArgumentNullException.ThrowIfNull(examples);
        var items = examples.ToArray();
        for (int i = 0; i < items.Length; i++)
        {
            var e = items[i] ?? throw new ArgumentException($"Example {i} is null.", nameof(examples));
            string where = e.Source ?? $"example {i}";
            if (string.IsNullOrWhiteSpace(e.Text))
                throw new ArgumentException($"{where}: the text is empty. Remove the example or give it text.", nameof(examples));
            bool ok = kind switch
            {
                TaskKind.SingleLabel => !string.IsNullOrWhiteSpace(e.Label),
                TaskKind.MultiLabel => e.Labels is not null,
                _ => e.Value is { } v && float.IsFinite(v),
            };
            if (!ok)
                throw new ArgumentException($"{where}: a {kind} example needs {(kind == TaskKind.SingleLabel ? "a non-empty Label" : kind == TaskKind.MultiLabel ? "a Labels list" : "a finite Value")}.", nameof(examples));
        }

        var map = labelMap ?? kind switch
        {
            TaskKind.SingleLabel => LabelMap.FromLabels(items.Select(e => e.Label!)),
            TaskKind.MultiLabel => LabelMap.FromLabels(items.SelectMany(e => e.Labels!)),
            _ => LabelMap.Empty,
        };
        if (labelMap is not null)
        {
            for (int i = 0; i < items.Length; i++)
            {
                var names = kind == TaskKind.SingleLabel ? [items[i].Label!] : items[i].Labels ?? [];
                foreach (string name in names)
                    if (!map.TryGetId(name, out _))
                        throw new ArgumentException($"{items[i].Source ?? $"example {i}"}: label '{name}' is not in the label map ({string.Join(", ", map.Take(20))}).", nameof(examples));
            }
        }
        return new TextDataset(items, kind, map, null);
    }

    /// <inheritdoc />
    public IEnumerator<TextExample> GetEnumerator() => ((IEnumerable<TextExample>)examples).GetEnumerator();

    IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();
}
