namespace LlmFineTune.Data;

/// <summary>The labeled-file formats <see cref="TextDatasetFiles.Load"/> reads.</summary>
public enum DatasetFormat
{
    /// <summary><c>label&lt;TAB&gt;text</c> per line (<c>.tsv</c>); see <see cref="TextDataset.FromTsv"/>.</summary>
    Tsv,

    /// <summary>RFC 4180 CSV with <c>text</c> and <c>label</c> columns (<c>.csv</c>); see <see cref="TextDataset.FromCsv"/>.</summary>
    Csv,

    /// <summary>One JSON object per line (<c>.jsonl</c>, <c>.json</c>); see <see cref="TextDataset.FromJsonLines"/>.</summary>
    JsonLines,

    /// <summary>fastText's <c>__label__x text</c> lines (<c>.txt</c>, <c>.ft</c>); see <see cref="TextDataset.FromFastText"/>.</summary>
    FastText,
}
