using System.Globalization;

namespace LlmFineTune.Data;

/// <summary>
/// Collects a loader's records, checks each (text, label, value), throws or skips-and-counts the
/// invalid ones as the options say, and builds the dataset with its label map and report.
/// </summary>
internal sealed class DatasetBuilder
{
    private readonly string path;
    private readonly TextDatasetLoadOptions options;
    private readonly List<(long Line, TextExample Example)> records = [];

    public DatasetBuilder(string path, TextDatasetLoadOptions options)
    {
        options.Validate();
        this.path = path;
        this.options = options;
        Report = new LoadReport { Source = path };
    }

    public LoadReport Report { get; }

    public TextDatasetLoadOptions Options => options;

    /// <summary>
    /// How the format places the text and label columns, as the end of a sentence that suggests the fix
    /// when the labels look like texts (the columns swapped); null for formats where labels cannot be texts.
    /// </summary>
    public string? ColumnOrder { get; set; }

    /// <summary>Notes a decision about the file's layout in the report.</summary>
    public void Note(long line, string message) => Report.Note($"{path}:{line}: {message}");

    /// <summary>Throws the problem, or counts it when the caller asked to skip invalid records.</summary>
    public void Reject(long line, SkipReason reason, string problem)
    {
        if (options.InvalidRows == InvalidRowPolicy.Throw)
            throw DataFileError.Create(path, line, reason,
                $"{problem} Fix the file, or set {nameof(TextDatasetLoadOptions.InvalidRows)} = {nameof(InvalidRowPolicy)}.{nameof(InvalidRowPolicy.Skip)} to skip such records (they are counted in the LoadReport).");
        Report.Skip(reason, line > 0 ? $"{path}:{line}: {problem}" : $"{path}: {problem}");
    }

    /// <summary>Checks encoding; returns false (after rejecting) when the record must be dropped.</summary>
    public bool CheckEncoding(long line, bool invalid)
    {
        if (!invalid || options.Encoding == TextEncodingPolicy.Replace) return true;
        Reject(line, SkipReason.InvalidEncoding, "the bytes are not valid UTF-8. Save the file as UTF-8, or set Encoding = TextEncodingPolicy.Replace to accept U+FFFD replacements.");
        return false;
    }

    /// <summary>Adds a record whose target is one field's text (a label, several separated labels, or a number).</summary>
    public void Add(long line, string? text, string? target)
    {
        if (target is null)
        {
            Reject(line, SkipReason.MissingField, $"the {options.LabelField} field is missing.");
            return;
        }
        target = target.Trim();
        switch (options.Kind)
        {
            case TaskKind.Regression:
                if (!float.TryParse(target, NumberStyles.Float, CultureInfo.InvariantCulture, out float value) || !float.IsFinite(value))
                {
                    Reject(line, SkipReason.InvalidValue, $"the target '{Shorten(target)}' is not a finite number (use '.' as the decimal point).");
                    return;
                }
                AddChecked(line, text, new TextExample { Text = text ?? "", Value = value });
                break;
            case TaskKind.MultiLabel:
                var labels = target.Length == 0 ? [] : target.Split(options.LabelSeparator).Select(l => l.Trim()).ToArray();
                AddChecked(line, text, new TextExample { Text = text ?? "", Labels = labels });
                break;
            default:
                AddChecked(line, text, new TextExample { Text = text ?? "", Label = target });
                break;
        }
    }

    /// <summary>Adds a record with a label list (fastText, JSON arrays); single-label unless the kind says or the data shows otherwise.</summary>
    public void Add(long line, string? text, IReadOnlyList<string> labels, string? source = null) =>
        AddChecked(line, text, new TextExample { Text = text ?? "", Labels = labels, Source = source });

    /// <summary>Adds a record with a numeric target (JSON numbers).</summary>
    public void Add(long line, string? text, float value)
    {
        if (!float.IsFinite(value))
        {
            Reject(line, SkipReason.InvalidValue, $"the target {value} is not finite.");
            return;
        }
        AddChecked(line, text, new TextExample { Text = text ?? "", Value = value });
    }

    private void AddChecked(long line, string? text, TextExample example)
    {
        if (text is null)
        {
            Reject(line, SkipReason.MissingField, $"the {options.TextField} field is missing.");
            return;
        }
        if (string.IsNullOrWhiteSpace(text))
        {
            Reject(line, SkipReason.EmptyText, "the text is empty.");
            return;
        }
        records.Add((line, example.Source is null ? example with { Source = $"{path}:{line}" } : example));
    }

    /// <summary>Settles the task kind, checks every label against the map, and builds the dataset.</summary>
    public TextDataset Build()
    {
        var valid = RejectMixedLabelTypes();
        var kind = options.Kind ?? Infer(valid);
        var kept = new List<TextExample>(valid.Count);
        foreach (var (line, raw) in valid)
        {
            var example = Normalize(line, raw, kind);
            if (example is not null) kept.Add(example);
        }
        if (kept.Count == 0)
            throw DataFileError.Create(path, 0, SkipReason.MissingField,
                Report.Skipped == 0
                    ? "the file has no examples. Check the path and the format."
                    : $"no valid examples ({Report}). First problem: {Report.SkippedSamples[0]}");
        if (kind == TaskKind.SingleLabel && options.LabelMap is null && ColumnOrder is not null)
            RequireLabelsNotTexts(kept);
        var map = options.LabelMap ?? kind switch
        {
            TaskKind.SingleLabel => LabelMap.FromLabels(kept.Select(e => e.Label!)),
            TaskKind.MultiLabel => LabelMap.FromLabels(kept.SelectMany(e => e.Labels!)),
            _ => LabelMap.Empty,
        };
        Report.Loaded = kept.Count;
        return TextDataset.Create(kept.ToArray(), kind, map, Report);
    }

    // a list with other than one label (fastText, JSON arrays) means multi-label data
    private static TaskKind Infer(List<(long Line, TextExample Example)> valid) =>
        valid.Any(r => r.Example.Labels is { Count: not 1 }) ? TaskKind.MultiLabel : TaskKind.SingleLabel;

    // JSON lets one line's label be an array and another's a string. Which the file means is a guess (one stray [] would
    // otherwise turn a single-label file multi-label), so unless Kind says, the lines of the rarer type are invalid.
    private List<(long Line, TextExample Example)> RejectMixedLabelTypes()
    {
        int lists = records.Count(r => r.Example.Labels is not null);
        if (options.Kind is not null || lists == 0 || lists == records.Count) return records;
        bool oddIsList = lists * 2 < records.Count;
        var (usual, odd) = oddIsList ? ("a string", "an array") : ("an array", "a string");
        int usualCount = oddIsList ? records.Count - lists : lists;
        long firstUsual = records.First(r => r.Example.Labels is not null != oddIsList).Line;
        var kept = new List<(long Line, TextExample Example)>(records.Count);
        foreach (var record in records)
        {
            if (record.Example.Labels is not null == oddIsList)
                Reject(record.Line, SkipReason.Malformed,
                    $"field '{options.LabelField}' is {odd} here but {usual} on {usualCount:N0} other lines (the first is line {firstUsual}). Give every line the same type: an array of strings for multi-label data, a string for single-label data; or set Kind to say which.");
            else
                kept.Add(record);
        }
        return kept;
    }

    // Swapped columns make every text a class: nearly every label is distinct, and either the "texts" repeat a few
    // values (the real labels) or the labels are longer than the texts. Too few examples to tell: let them through.
    private void RequireLabelsNotTexts(List<TextExample> kept)
    {
        const int MinExamples = 8;
        if (kept.Count < MinExamples) return;
        int labels = kept.Select(e => e.Label).Distinct(StringComparer.Ordinal).Count();
        if (labels * 2 < kept.Count) return;
        var texts = kept.Select(e => e.Text).Distinct(StringComparer.Ordinal).ToArray();
        double labelLength = kept.Average(e => e.Label!.Length), textLength = kept.Average(e => e.Text.Length);
        string evidence;
        if (texts.Length * 4 <= labels)
            evidence = $"while the texts take only {texts.Length} value{(texts.Length == 1 ? "" : "s")} ({string.Join(", ", texts.Take(5).Select(t => $"'{Shorten(t)}'"))}{(texts.Length > 5 ? ", …" : "")})";
        else if (labelLength > textLength)
            evidence = FormattableString.Invariant($"and the labels are longer than the texts ({labelLength:F0} vs {textLength:F0} characters on average)");
        else
            return;
        throw DataFileError.Create(path, 0, SkipReason.Malformed,
            $"the labels look like texts: {labels:N0} of {kept.Count:N0} examples have a label of their own, {evidence}. The columns are probably swapped; {ColumnOrder}.");
    }

    private TextExample? Normalize(long line, TextExample example, TaskKind kind)
    {
        switch (kind)
        {
            case TaskKind.Regression:
                if (example.Value is null)
                {
                    Reject(line, SkipReason.InvalidValue, "a regression example needs a numeric target.");
                    return null;
                }
                return example;
            case TaskKind.MultiLabel:
                var labels = example.Labels ?? (example.Label is null ? null : [example.Label]);
                if (labels is null)
                {
                    Reject(line, SkipReason.InvalidValue, "a multi-label example needs labels, not a number.");
                    return null;
                }
                return CheckLabels(line, labels) ? example with { Labels = labels.Distinct(StringComparer.Ordinal).ToArray(), Label = null } : null;
            default:
                string? label = example.Label;
                if (label is null && example.Labels is { } list)
                {
                    if (list.Count != 1)
                    {
                        Reject(line, SkipReason.UnknownLabel, $"a single-label example needs exactly one label (found {list.Count}). Set Kind = TaskKind.MultiLabel for multi-label data.");
                        return null;
                    }
                    label = list[0];
                }
                if (label is null)
                {
                    Reject(line, SkipReason.InvalidValue, "a single-label example needs a label, not a number.");
                    return null;
                }
                return CheckLabels(line, [label]) ? example with { Label = label, Labels = null } : null;
        }
    }

    private bool CheckLabels(long line, IReadOnlyList<string> labels)
    {
        foreach (string label in labels)
        {
            if (string.IsNullOrWhiteSpace(label))
            {
                Reject(line, SkipReason.UnknownLabel, "a label is empty.");
                return false;
            }
            if (options.LabelMap is { } map && !map.TryGetId(label, out _))
            {
                Reject(line, SkipReason.UnknownLabel,
                    $"label '{Shorten(label)}' is not one of the known labels ({string.Join(", ", map.Take(20))}{(map.Count > 20 ? ", …" : "")}). Correct the label, or leave LabelMap unset to accept new classes.");
                return false;
            }
        }
        return true;
    }

    internal static string Shorten(string s) => s.Length <= 60 ? s : s[..57] + "…";
}
