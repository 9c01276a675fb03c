namespace LlmFineTune.Data;

/// <summary>What a dataset must hold to train a classifier, checked before anything is built from it.</summary>
internal static class TrainingSetChecks
{
    /// <summary>A single-label set of one class teaches nothing and only looks like success (loss falls to zero).</summary>
    /// <param name="train">The training set.</param>
    /// <param name="head">The task the classifier will learn.</param>
    /// <param name="parameter">The caller's parameter name for <paramref name="train"/>.</param>
    /// <exception cref="ArgumentException">The set is empty or holds one class; the message names the file it was read from.</exception>
    public static void RequireTwoClasses(ITextDataset train, TaskKind head, string parameter)
    {
        if (head != TaskKind.SingleLabel || train.Kind != TaskKind.SingleLabel) return;
        string source = train is TextDataset { LoadReport: { } report } ? report.Source + ": " : "";
        string? first = null;
        foreach (var example in train)
        {
            first ??= example.Label;
            if (example.Label != first) return;
        }
        throw new ArgumentException(first is null
            ? $"{source}the training set is empty."
            : $"{source}the training set has examples of only one class ('{first}'); a classifier needs at least two classes. Add examples of another class{(source.Length > 0 ? ", or check that you passed the file you meant" : "")}.", parameter);
    }
}
