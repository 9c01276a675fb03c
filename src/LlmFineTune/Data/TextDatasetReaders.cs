using System.Text;
using System.Text.Json;
using System.Text.Unicode;

namespace LlmFineTune.Data;

/// <summary>The file formats behind <see cref="TextDataset"/>'s loaders.</summary>
internal static class TextDatasetReaders
{
    public static TextDataset Tsv(string path, TextDatasetLoadOptions options)
    {
        var builder = new DatasetBuilder(path, options);
        using var lines = Open(path, options);
        if (options.HasHeader != true)
        {
            // the headerless layout is label<TAB>text; the text may contain further tabs
            while (lines.TryReadLine(out string line))
            {
                if (line.Length == 0) continue;
                long number = lines.LineNumber;
                if (!builder.CheckEncoding(number, lines.LastLineInvalid)) continue;
                int tab = line.IndexOf('\t');
                if (tab < 0)
                    builder.Reject(number, SkipReason.MissingField, "expected label<TAB>text but the line has no tab. Separate the label from the text with a tab, or set HasHeader = true to name the columns.");
                else
                    builder.Add(number, line[(tab + 1)..], line[..tab]);
            }
            return builder.Build();
        }
        var fields = new List<string>();
        (int Text, int Label, int Count)? columns = null;
        while (lines.TryReadLine(out string line))
        {
            if (line.Length == 0) continue;
            long number = lines.LineNumber;
            fields.Clear();
            fields.AddRange(line.Split('\t'));
            if (columns is null)
            {
                columns = Columns(path, number, fields, options);
                continue;
            }
            if (builder.CheckEncoding(number, lines.LastLineInvalid))
                AddRow(builder, number, fields, columns.Value);
        }
        return columns is null ? throw DataFileError.Create(path, 0, SkipReason.MissingField, "the file is empty; expected a header line.") : builder.Build();
    }

    public static TextDataset Csv(string path, TextDatasetLoadOptions options)
    {
        var builder = new DatasetBuilder(path, options);
        using var lines = Open(path, options);
        var reader = new CsvRecordReader(lines, options.Delimiter, options.MaxRecordBytes);
        var fields = new List<string>();
        (int Text, int Label, int Count)? columns = null;
        if (options.HasHeader == false)
            columns = (0, 1, 2); // headerless CSV is text,label (the usual export order)
        while (reader.TryRead(fields))
        {
            if (columns is null)
            {
                columns = Columns(path, reader.Line, fields, options);
                continue;
            }
            if (builder.CheckEncoding(reader.Line, reader.Invalid))
                AddRow(builder, reader.Line, fields, columns.Value);
        }
        return columns is null ? throw DataFileError.Create(path, 0, SkipReason.MissingField, "the file is empty; expected a header line.") : builder.Build();
    }

    public static TextDataset JsonLines(string path, TextDatasetLoadOptions options)
    {
        var builder = new DatasetBuilder(path, options);
        using var lines = Open(path, options);
        while (lines.TryReadLine(out string line))
        {
            if (string.IsNullOrWhiteSpace(line)) continue;
            long number = lines.LineNumber;
            if (!builder.CheckEncoding(number, lines.LastLineInvalid)) continue;
            JsonDocument document;
            try
            {
                document = JsonDocument.Parse(line);
            }
            catch (JsonException e)
            {
                builder.Reject(number, SkipReason.Malformed, $"the line is not valid JSON ({e.Message}). Write one JSON object per line.");
                continue;
            }
            using (document)
            {
                if (document.RootElement.ValueKind != JsonValueKind.Object)
                {
                    builder.Reject(number, SkipReason.Malformed, $"expected a JSON object, found {document.RootElement.ValueKind}.");
                    continue;
                }
                AddJson(builder, number, document.RootElement);
            }
        }
        return builder.Build();
    }

    public static TextDataset FastText(string path, TextDatasetLoadOptions options)
    {
        var builder = new DatasetBuilder(path, options);
        using var lines = Open(path, options);
        string prefix = options.LabelPrefix;
        while (lines.TryReadLine(out string line))
        {
            if (string.IsNullOrWhiteSpace(line)) continue;
            long number = lines.LineNumber;
            if (!builder.CheckEncoding(number, lines.LastLineInvalid)) continue;
            var labels = new List<string>();
            int i = 0;
            while (true)
            {
                while (i < line.Length && char.IsWhiteSpace(line[i])) i++;
                if (string.CompareOrdinal(line, i, prefix, 0, prefix.Length) != 0) break;
                int end = i + prefix.Length;
                while (end < line.Length && !char.IsWhiteSpace(line[end])) end++;
                labels.Add(line[(i + prefix.Length)..end]);
                i = end;
            }
            if (labels.Count == 0)
                builder.Reject(number, SkipReason.MissingField, $"the line has no label; fastText lines start with {prefix}LABEL followed by the text.");
            else if (options.Kind == TaskKind.Regression)
                builder.Reject(number, SkipReason.InvalidValue, "the fastText format has labels, not numeric targets; use TSV, CSV or JSON lines for regression.");
            else
                builder.Add(number, line[i..], labels);
        }
        return builder.Build();
    }

    public static TextDataset Folders(string root, TextDatasetLoadOptions options)
    {
        var builder = new DatasetBuilder(root, options);
        if (!Directory.Exists(root))
            throw new DirectoryNotFoundException($"{root}: folder not found. Pass a folder that has one sub-folder per class.");
        var classes = Directory.GetDirectories(root).Order(StringComparer.Ordinal).ToArray();
        if (classes.Length == 0)
            throw DataFileError.Create(root, 0, SkipReason.MissingField, "the folder has no sub-folders. Put each class's text files in a sub-folder named after the class.");
        var strict = new UTF8Encoding(false, throwOnInvalidBytes: false);
        foreach (string folder in classes)
        {
            string label = Path.GetFileName(folder);
            foreach (string file in Directory.GetFiles(folder, options.FilePattern).Order(StringComparer.Ordinal))
            {
                var length = new FileInfo(file).Length;
                if (length > options.MaxRecordBytes)
                {
                    Reject(builder, file, SkipReason.Malformed, $"the file has {length:N0} bytes, more than MaxRecordBytes ({options.MaxRecordBytes:N0}).");
                    continue;
                }
                byte[] bytes = File.ReadAllBytes(file);
                var content = bytes.AsSpan();
                if (content.StartsWith((ReadOnlySpan<byte>)[0xEF, 0xBB, 0xBF])) content = content[3..];
                if (!Utf8.IsValid(content) && options.Encoding == TextEncodingPolicy.Strict)
                {
                    Reject(builder, file, SkipReason.InvalidEncoding, "the bytes are not valid UTF-8. Save the file as UTF-8, or set Encoding = TextEncodingPolicy.Replace.");
                    continue;
                }
                string text = strict.GetString(content);
                if (string.IsNullOrWhiteSpace(text))
                {
                    Reject(builder, file, SkipReason.EmptyText, "the file is empty.");
                    continue;
                }
                builder.Add(0, text, [label], source: file);
            }
        }
        return builder.Build();
    }

    // Folder loaders report per file, not per line; the builder's messages name the root, so name the file here.
    private static void Reject(DatasetBuilder builder, string file, SkipReason reason, string problem) =>
        builder.Reject(0, reason, $"{file}: {problem}");

    private static Utf8LineReader Open(string path, TextDatasetLoadOptions options)
    {
        ArgumentNullException.ThrowIfNull(path);
        options.Validate();
        if (!File.Exists(path))
            throw new FileNotFoundException($"{path}: file not found.", path);
        return new Utf8LineReader(path, maxLineBytes: options.MaxRecordBytes);
    }

    private static (int Text, int Label, int Count) Columns(string path, long line, List<string> header, TextDatasetLoadOptions options)
    {
        int Find(string name)
        {
            int index = header.FindIndex(h => string.Equals(h.Trim(), name, StringComparison.Ordinal));
            if (index < 0) index = header.FindIndex(h => string.Equals(h.Trim(), name, StringComparison.OrdinalIgnoreCase));
            return index >= 0
                ? index
                : throw DataFileError.Create(path, line, SkipReason.MissingField,
                    $"the header has no column '{name}' (columns: {string.Join(", ", header.Select(h => $"'{DatasetBuilder.Shorten(h)}'"))}). Set TextField and LabelField to the column names.");
        }
        return (Find(options.TextField), Find(options.LabelField), header.Count);
    }

    private static void AddRow(DatasetBuilder builder, long line, List<string> fields, (int Text, int Label, int Count) columns)
    {
        if (fields.Count != columns.Count)
        {
            builder.Reject(line, SkipReason.RaggedRow,
                $"the row has {fields.Count} fields but the header has {columns.Count}. Quote fields that contain the delimiter, or fix the row.");
            return;
        }
        builder.Add(line, fields[columns.Text], fields[columns.Label]);
    }

    private static void AddJson(DatasetBuilder builder, long line, JsonElement root)
    {
        var options = builder.Options;
        string? text = null;
        if (root.TryGetProperty(options.TextField, out var textElement))
        {
            if (textElement.ValueKind != JsonValueKind.String)
            {
                builder.Reject(line, SkipReason.MissingField, $"field '{options.TextField}' must be a string (was {textElement.ValueKind}).");
                return;
            }
            text = textElement.GetString();
        }
        if (!root.TryGetProperty(options.LabelField, out var label) || label.ValueKind == JsonValueKind.Null)
        {
            builder.Reject(line, SkipReason.MissingField, $"field '{options.LabelField}' is missing. Set LabelField to the name of the label field.");
            return;
        }
        switch (label.ValueKind)
        {
            case JsonValueKind.String:
                builder.Add(line, text, label.GetString());
                break;
            case JsonValueKind.Number when options.Kind == TaskKind.Regression:
                builder.Add(line, text, label.GetSingle());
                break;
            case JsonValueKind.Number:
                // integer class ids are common in exported data sets; they become class names
                builder.Add(line, text, label.GetRawText());
                break;
            case JsonValueKind.Array:
                var labels = new List<string>();
                foreach (var item in label.EnumerateArray())
                {
                    if (item.ValueKind != JsonValueKind.String)
                    {
                        builder.Reject(line, SkipReason.UnknownLabel, $"field '{options.LabelField}' must hold strings (found {item.ValueKind}).");
                        return;
                    }
                    labels.Add(item.GetString()!);
                }
                builder.Add(line, text, labels);
                break;
            default:
                builder.Reject(line, SkipReason.UnknownLabel, $"field '{options.LabelField}' must be a string, an array of strings or a number (was {label.ValueKind}).");
                break;
        }
    }
}
