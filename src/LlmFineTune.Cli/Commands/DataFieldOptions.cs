using System.CommandLine;
using LlmFineTune.Data;

namespace LlmFineTune.Cli.Commands;

/// <summary><c>--text-field</c>, <c>--label-field</c> and <c>--label-separator</c>: where a CSV or JSONL file keeps its texts and labels.</summary>
internal sealed class DataFieldOptions
{
    public Option<string> TextField { get; } = new("--text-field") { Description = "CSV column or JSON field holding the text.", DefaultValueFactory = _ => "text" };

    public Option<string> LabelField { get; } = new("--label-field") { Description = "CSV column or JSON field holding the label(s).", DefaultValueFactory = _ => "label" };

    public Option<string> LabelSeparator { get; } = new("--label-separator") { Description = "The character between several labels in one CSV/TSV field (multi-label).", DefaultValueFactory = _ => "," };

    public IEnumerable<Option> All => [TextField, LabelField, LabelSeparator];

    /// <summary>Load options with the fields from the command line.</summary>
    /// <exception cref="ArgumentException">The label separator is not one character.</exception>
    public TextDatasetLoadOptions LoadOptions(ParseResult parse, TaskKind? kind, LabelMap? labels = null)
    {
        string separator = parse.GetValue(LabelSeparator)!;
        if (separator.Length != 1)
            throw new ArgumentException($"--label-separator must be one character (was '{separator}').");
        return new()
        {
            Kind = kind,
            LabelMap = labels,
            TextField = parse.GetValue(TextField)!,
            LabelField = parse.GetValue(LabelField)!,
            LabelSeparator = separator[0],
        };
    }
}
