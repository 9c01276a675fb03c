namespace LlmFineTune.Data;

/// <summary>How <see cref="TextDataset"/>'s file loaders read a file.</summary>
public sealed class TextDatasetLoadOptions
{
    /// <value>
    /// What the targets are; null infers it: a file with a line of several labels (fastText, a JSON
    /// array) is multi-label, everything else single-label (numbers in JSON become class names, one
    /// spelling per number: 1, 1.0 and 1e0 are all "1"). A JSON file that mixes array and string labels
    /// is refused, naming the lines of the rarer type, unless this says which task the file is.
    /// Set <see cref="TaskKind.Regression"/> explicitly for numeric targets. Default null.
    /// </value>
    public TaskKind? Kind { get; set; }

    /// <value>The text column (CSV, TSV with header) or JSON field. Default "text".</value>
    public string TextField { get; set; } = "text";

    /// <value>The label column or JSON field (the numeric target for regression). Default "label".</value>
    public string LabelField { get; set; } = "label";

    /// <value>
    /// Whether the first line of a CSV or TSV file names the columns. Null means: CSV yes; TSV only when
    /// the first line names the text and label columns (a line starting with the label column's name alone is
    /// skipped), otherwise a TSV is <c>label&lt;TAB&gt;text</c>, split on the first tab. Default null.
    /// </value>
    public bool? HasHeader { get; set; }

    /// <value>The CSV field delimiter. Default ','.</value>
    public char Delimiter { get; set; } = ',';

    /// <value>Separates several labels in one CSV/TSV field for multi-label data. Default ','.</value>
    public char LabelSeparator { get; set; } = ',';

    /// <value>The fastText label marker. Default "__label__".</value>
    public string LabelPrefix { get; set; } = "__label__";

    /// <value>Throw on the first invalid record, or skip and count invalid records. Default <see cref="InvalidRowPolicy.Throw"/>.</value>
    public InvalidRowPolicy InvalidRows { get; set; } = InvalidRowPolicy.Throw;

    /// <value>What invalid UTF-8 is. Default <see cref="TextEncodingPolicy.Strict"/>.</value>
    public TextEncodingPolicy Encoding { get; set; } = TextEncodingPolicy.Strict;

    /// <value>
    /// The classes to use, in id order; labels outside it are invalid records. Pass the model's map
    /// when loading a test set so ids match. Default null: the labels found, sorted.
    /// </value>
    public LabelMap? LabelMap { get; set; }

    /// <value>Longest line (or file, for folders) in bytes; longer ones are malformed records. Default 256 MiB.</value>
    public int MaxRecordBytes { get; set; } = 256 << 20;

    /// <value>File name patterns <see cref="TextDataset.FromFolders"/> reads in each class folder. Default "*.txt".</value>
    public string FilePattern { get; set; } = "*.txt";

    /// <summary>Checks every setting.</summary>
    /// <exception cref="ArgumentException">A setting is invalid; the message names it.</exception>
    public void Validate()
    {
        if (string.IsNullOrEmpty(TextField))
            throw new ArgumentException("TextField must not be empty.", nameof(TextField));
        if (string.IsNullOrEmpty(LabelField))
            throw new ArgumentException("LabelField must not be empty.", nameof(LabelField));
        if (string.IsNullOrEmpty(LabelPrefix))
            throw new ArgumentException("LabelPrefix must not be empty.", nameof(LabelPrefix));
        if (Delimiter is '"' or '\r' or '\n')
            throw new ArgumentException($"Delimiter cannot be a quote or line break (was {(int)Delimiter}).", nameof(Delimiter));
        if (MaxRecordBytes < 1024)
            throw new ArgumentOutOfRangeException(nameof(MaxRecordBytes), MaxRecordBytes, "MaxRecordBytes must be at least 1024.");
        if (string.IsNullOrEmpty(FilePattern))
            throw new ArgumentException("FilePattern must not be empty.", nameof(FilePattern));
    }
}
