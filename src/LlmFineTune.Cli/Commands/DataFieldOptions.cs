using System.CommandLine;
using LlmFineTune.Data;

namespace LlmFineTune.Cli.Commands;

/// <summary><c>--text-field</c>, <c>--label-field</c> and <c>--label-separator</c>: where a CSV or JSONL file keeps its texts and labels.</summary>
internal sealed class DataFieldOptions
{
    public Option<string> TextField { get; } = new("--text-field") { Description = "CSV column or JSON field holding the text.", DefaultValueFactory = _ => "text" };

    public Option<string> LabelField { get; } = new("--label-field") { Description = "CSV column or JSON field holding the label(s).", DefaultValueFactory = _ => "label" };

    public Option<char> LabelSeparator { get; } = new("--label-separator") { Description = "Separates several labels in one CSV/TSV field (multi-label).", DefaultValueFactory = _ => ',' };

    public IEnumerable<Option> All => [TextField, LabelField, LabelSeparator];

    /// <summary>Load options with the fields from the command line.</summary>
    public TextDatasetLoadOptions LoadOptions(ParseResult parse, TaskKind? kind, LabelMap? labels = null) => new()
    {
        Kind = kind,
        LabelMap = labels,
        TextField = parse.GetValue(TextField)!,
        LabelField = parse.GetValue(LabelField)!,
        LabelSeparator = parse.GetValue(LabelSeparator),
    };
}
