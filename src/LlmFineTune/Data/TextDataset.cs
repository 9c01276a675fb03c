using System.Collections;

namespace LlmFineTune.Data;

/// <summary>An in-memory <see cref="ITextDataset"/>, and the factories that build datasets.</summary>
public sealed class TextDataset : ITextDataset
{
    private readonly TextExample[] examples;

    private TextDataset(TextExample[] examples, TaskKind kind, LabelMap labelMap)
    {
        this.examples = examples;
        Kind = kind;
        LabelMap = labelMap;
    }

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
        return new TextDataset(items, kind, map);
    }

    /// <inheritdoc />
    public IEnumerator<TextExample> GetEnumerator() => ((IEnumerable<TextExample>)examples).GetEnumerator();

    IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();
}
