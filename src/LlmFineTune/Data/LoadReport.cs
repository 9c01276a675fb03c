namespace LlmFineTune.Data;

/// <summary>What a loader read: how many examples it kept and what it skipped, by reason.</summary>
/// <remarks>Records are only skipped when <see cref="TextDatasetLoadOptions.InvalidRows"/> is <see cref="InvalidRowPolicy.Skip"/>.</remarks>
public sealed class LoadReport
{
    /// <summary>How many skipped records <see cref="SkippedSamples"/> keeps.</summary>
    public const int MaxSamples = 20;

    private readonly Dictionary<SkipReason, int> byReason = [];
    private readonly List<string> samples = [];
    private readonly List<string> notes = [];

    /// <summary>The file or folder that was read.</summary>
    public required string Source { get; init; }

    /// <summary>Examples kept.</summary>
    public int Loaded { get; internal set; }

    /// <summary>Records skipped, all reasons together.</summary>
    public int Skipped => byReason.Values.Sum();

    /// <summary>Records skipped per reason.</summary>
    public IReadOnlyDictionary<SkipReason, int> SkippedByReason => byReason;

    /// <summary>The first <see cref="MaxSamples"/> skipped records, as "file:line: message".</summary>
    public IReadOnlyList<string> SkippedSamples => samples;

    /// <summary>What the loader decided about the file's layout that a user may want to know, as "file:line: message" (for example a first line read as a header).</summary>
    public IReadOnlyList<string> Notes => notes;

    internal void Note(string message) => notes.Add(message);

    internal void Skip(SkipReason reason, string message)
    {
        byReason[reason] = byReason.GetValueOrDefault(reason) + 1;
        if (samples.Count < MaxSamples)
            samples.Add(message);
    }

    /// <summary>A one-line summary, e.g. "train.csv: 980 loaded, 20 skipped (EmptyText 15, UnknownLabel 5)".</summary>
    /// <returns>The summary.</returns>
    public override string ToString() =>
        Skipped == 0
            ? $"{Source}: {Loaded} loaded, none skipped"
            : $"{Source}: {Loaded} loaded, {Skipped} skipped ({string.Join(", ", byReason.OrderBy(p => p.Key).Select(p => $"{p.Key} {p.Value}"))})";
}
