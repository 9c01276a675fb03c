using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.Unicode;

namespace LlmFineTune.Data;

/// <summary>The file formats behind <see cref="TextDataset"/>'s loaders.</summary>
internal static class TextDatasetReaders
{
    public static TextDataset Tsv(string path, TextDatasetLoadOptions options)
    {
        var builder = new DatasetBuilder(path, options)
        {
            // a header line, once read, says where the columns are instead
            ColumnOrder = "a TSV file without a header line is read as label<TAB>text. Put the label first, or start the file with a header line naming the columns (for example text<TAB>label)",
        };
        using var lines = Open(path, options);
        bool header = options.HasHeader == true, first = true;
        var fields = new List<string>();
        (int Text, int Label, int Count)? columns = null;
        while (lines.TryReadLine(out string line))
        {
            if (string.IsNullOrWhiteSpace(line)) continue;
            long number = lines.LineNumber;
            if (first && options.HasHeader is null)
            {
                // a header line read as an example would become a class named "label"
                switch (HeaderKind(line, options))
                {
                    case TsvHeader.Names:
                        header = true;
                        builder.Note(number, "the line names the text and label columns, so it was read as a header. Set HasHeader = false to read it as an example.");
                        break;
                    case TsvHeader.LabelFirst:
                        builder.Note(number, $"the line starts with the column name '{options.LabelField}', so it was skipped as a header. Set HasHeader = false to read it as an example.");
                        first = false;
                        continue;
                }
            }
            first = false;
            if (!header)
            {
                // the headerless layout is label<TAB>text; the text may contain further tabs
                if (!builder.CheckEncoding(number, lines.LastLineInvalid)) continue;
                int tab = line.IndexOf('\t');
                if (tab < 0)
                    builder.Reject(number, SkipReason.MissingField, "expected label<TAB>text but the line has no tab. " + (
                        line.TrimStart().StartsWith(options.LabelPrefix, StringComparison.Ordinal) ? "The line looks like fastText (it starts with the label prefix): read the file as fastText."
                        : line.TrimStart().StartsWith('{') ? "The line looks like JSON: read the file as JSON lines."
                        : "Separate the label from the text with a tab, or set HasHeader = true to name the columns."));
                else
                    builder.Add(number, line[(tab + 1)..], line[..tab]);
                continue;
            }
            fields.Clear();
            fields.AddRange(line.Split('\t'));
            if (columns is null)
            {
                columns = Columns(path, number, fields, '\t', options);
                builder.ColumnOrder = HeaderOrder(number, columns.Value, options);
                continue;
            }
            if (builder.CheckEncoding(number, lines.LastLineInvalid))
                AddRow(builder, number, fields, columns.Value, textTakesRest: true);
        }
        return header && columns is null ? throw DataFileError.Create(path, 0, SkipReason.MissingField, "the file is empty; expected a header line.") : builder.Build();
    }

    private enum TsvHeader { None, Names, LabelFirst }

    private static TsvHeader HeaderKind(string line, TextDatasetLoadOptions options)
    {
        var cells = line.Split('\t').Select(c => c.Trim()).ToArray();
        bool Has(string name) => cells.Contains(name, StringComparer.OrdinalIgnoreCase);
        if (cells.Length >= 2 && Has(options.TextField) && Has(options.LabelField)) return TsvHeader.Names;
        return string.Equals(cells[0], options.LabelField, StringComparison.OrdinalIgnoreCase) ? TsvHeader.LabelFirst : TsvHeader.None;
    }

    private static string HeaderOrder(long line, (int Text, int Label, int Count) columns, TextDatasetLoadOptions options) =>
        $"the header on line {line} names column {columns.Label + 1} '{options.LabelField}' and column {columns.Text + 1} '{options.TextField}'. Check that the header names the columns in the order the rows hold them";

    public static TextDataset Csv(string path, TextDatasetLoadOptions options)
    {
        var builder = new DatasetBuilder(path, options);
        using var lines = Open(path, options);
        var reader = new CsvRecordReader(lines, options.Delimiter, options.MaxRecordBytes);
        var fields = new List<string>();
        (int Text, int Label, int Count)? columns = null;
        if (options.HasHeader == false)
        {
            columns = (0, 1, 2); // headerless CSV is text,label (the usual export order)
            builder.ColumnOrder = "a CSV file without a header line is read as text,label. Put the text first, or start the file with a header line naming the columns (for example label,text)";
        }
        while (reader.TryRead(fields))
        {
            if (columns is null)
            {
                columns = Columns(path, reader.Line, fields, options.Delimiter, options);
                builder.ColumnOrder = HeaderOrder(reader.Line, columns.Value, options);
                continue;
            }
            if (builder.CheckEncoding(reader.Line, reader.Invalid))
                AddRow(builder, reader.Line, fields, columns.Value, textTakesRest: false);
        }
        return columns is null ? throw DataFileError.Create(path, 0, SkipReason.MissingField, "the file is empty; expected a header line.") : builder.Build();
    }

    public static TextDataset JsonLines(string path, TextDatasetLoadOptions options)
    {
        var builder = new DatasetBuilder(path, options)
        {
            ColumnOrder = $"check that field '{options.LabelField}' holds the label and field '{options.TextField}' the text, or set LabelField and TextField",
        };
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
                    builder.Reject(number, SkipReason.Malformed, document.RootElement.ValueKind == JsonValueKind.Array
                        ? "expected a JSON object, found an array. JSON lines hold one object per line; convert a file holding one JSON array with: jq -c '.[]' FILE."
                        : $"expected a JSON object, found {document.RootElement.ValueKind}.");
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
                builder.Reject(number, SkipReason.MissingField, $"the line has no label; fastText lines start with {prefix}LABEL followed by the text." +
                    (line.Contains('\t') ? " The line holds a tab: if the file is label<TAB>text, read it as TSV." : ""));
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
        DataFilePath.RequireFile(path);
        return new Utf8LineReader(path, maxLineBytes: options.MaxRecordBytes);
    }

    private static (int Text, int Label, int Count) Columns(string path, long line, List<string> header, char delimiter, TextDatasetLoadOptions options)
    {
        int Find(string name)
        {
            int index = header.FindIndex(h => string.Equals(h.Trim(), name, StringComparison.Ordinal));
            if (index < 0) index = header.FindIndex(h => string.Equals(h.Trim(), name, StringComparison.OrdinalIgnoreCase));
            if (index >= 0) return index;
            // a one-column header that holds another common delimiter: the file is not split the way it was written
            string fix = "Set TextField and LabelField to the column names.";
            if (header.Count == 1 && header[0].FirstOrDefault(c => c is ';' or '\t' or '|' or ',' && c != delimiter) is var d and not '\0')
            {
                string shown = d == '\t' ? "\\t" : d.ToString();
                fix = $"The header is one column holding '{shown}', so the file is probably separated by '{shown}': " +
                    (d == '\t' ? "read it as TSV." : delimiter == '\t' ? $"read it as CSV with Delimiter = '{shown}'." : $"set Delimiter = '{shown}'.");
            }
            throw DataFileError.Create(path, line, SkipReason.MissingField,
                $"the header has no column '{name}' (columns: {string.Join(", ", header.Select(h => $"'{DatasetBuilder.Shorten(h)}'"))}). {fix}");
        }
        return (Find(options.TextField), Find(options.LabelField), header.Count);
    }

    private static void AddRow(DatasetBuilder builder, long line, List<string> fields, (int Text, int Label, int Count) columns, bool textTakesRest)
    {
        // TSV has no quoting: when the text is the last column, further tabs belong to the text
        if (textTakesRest && columns.Text == columns.Count - 1 && fields.Count > columns.Count)
        {
            builder.Add(line, string.Join('\t', fields.Skip(columns.Text)), fields[columns.Label]);
            return;
        }
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
        foreach (string field in (string[])[options.TextField, options.LabelField])
        {
            if (root.EnumerateObject().Count(p => p.NameEquals(field)) > 1)
            {
                builder.Reject(line, SkipReason.Malformed, $"field '{field}' appears more than once in the object. Keep one.");
                return;
            }
        }
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
                // integer class ids are common in exported data sets; they become class names, one spelling per number
                builder.Add(line, text, NumberName(label));
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

    /// <summary>The class name of a JSON number: 1, 1.0 and 1e0 are all "1"; 0.50 is "0.5".</summary>
    private static string NumberName(JsonElement number)
    {
        if (number.TryGetDecimal(out decimal exact))
        {
            // dividing by 1.000… drops trailing zeros (decimal keeps the scale it was parsed with)
            decimal shortest = exact / 1.0000000000000000000000000000m;
            return (shortest == 0 ? 0m : shortest).ToString(CultureInfo.InvariantCulture);
        }
        return number.GetDouble().ToString("R", CultureInfo.InvariantCulture);
    }
}
