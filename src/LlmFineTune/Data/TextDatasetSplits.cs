namespace LlmFineTune.Data;

/// <summary>
/// Seeded shuffling, stratified train/validation splits, stratified k-fold and a first-N-per-class
/// sampler. Every result keeps the source's <see cref="ITextDataset.LabelMap"/>, so class ids
/// agree across the parts even when a class is missing from one.
/// </summary>
/// <remarks>
/// Stratification groups examples by their label (single-label), by their rarest label (multi-label:
/// rare classes are the ones a random split loses), or by value decile (regression). The same
/// dataset, arguments and seed always give the same parts.
/// </remarks>
public static class TextDatasetSplits
{
    /// <summary>Returns the examples in a seeded random order.</summary>
    /// <param name="dataset">The dataset.</param>
    /// <param name="seed">The shuffle's seed.</param>
    /// <returns>A new dataset with the same examples and label map.</returns>
    public static TextDataset Shuffle(this ITextDataset dataset, int seed)
    {
        ArgumentNullException.ThrowIfNull(dataset);
        int[] order = Enumerable.Range(0, dataset.Count).ToArray();
        new Random(seed).Shuffle(order);
        return Subset(dataset, order);
    }

    /// <summary>Splits into train and validation parts with (as nearly as possible) the same class proportions.</summary>
    /// <param name="dataset">The dataset.</param>
    /// <param name="validationFraction">The share of each class that goes to validation, in (0, 1).</param>
    /// <param name="seed">Picks which examples go where.</param>
    /// <returns>The two parts, each in the source's order. A class with at least two examples has at least one in each part.</returns>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="validationFraction"/> is not in (0, 1).</exception>
    /// <exception cref="ArgumentException">The dataset has fewer than two examples.</exception>
    public static (TextDataset Train, TextDataset Validation) StratifiedSplit(this ITextDataset dataset, double validationFraction, int seed)
    {
        ArgumentNullException.ThrowIfNull(dataset);
        if (!(validationFraction > 0 && validationFraction < 1))
            throw new ArgumentOutOfRangeException(nameof(validationFraction), validationFraction, "validationFraction must be between 0 and 1 (exclusive).");
        if (dataset.Count < 2)
            throw new ArgumentException($"Splitting needs at least 2 examples (the dataset has {dataset.Count}).", nameof(dataset));
        var random = new Random(seed);
        var validation = new bool[dataset.Count];
        foreach (var group in Strata(dataset))
        {
            random.Shuffle(group);
            int take = (int)Math.Round(group.Length * validationFraction, MidpointRounding.AwayFromZero);
            if (group.Length >= 2) take = Math.Clamp(take, 1, group.Length - 1);
            for (int i = 0; i < take; i++) validation[group[i]] = true;
        }
        return (Pick(dataset, validation, false), Pick(dataset, validation, true));
    }

    /// <summary>Stratified k-fold: <paramref name="folds"/> train/validation pairs whose validation parts partition the dataset.</summary>
    /// <param name="dataset">The dataset.</param>
    /// <param name="folds">The number of folds, at least 2.</param>
    /// <param name="seed">Picks which examples go to which fold.</param>
    /// <returns>One pair per fold; every example is in exactly one validation part. Fold sizes differ by at most one per class.</returns>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="folds"/> is below 2 or above the number of examples.</exception>
    public static IReadOnlyList<(TextDataset Train, TextDataset Validation)> KFold(this ITextDataset dataset, int folds, int seed)
    {
        ArgumentNullException.ThrowIfNull(dataset);
        if (folds < 2 || folds > dataset.Count)
            throw new ArgumentOutOfRangeException(nameof(folds), folds, $"folds must be between 2 and the number of examples ({dataset.Count}).");
        var random = new Random(seed);
        var fold = new int[dataset.Count];
        int next = 0;
        foreach (var group in Strata(dataset))
        {
            random.Shuffle(group);
            // continue where the previous class stopped so small classes do not all land in fold 0
            foreach (int index in group)
                fold[index] = next++ % folds;
        }
        var result = new (TextDataset, TextDataset)[folds];
        for (int f = 0; f < folds; f++)
        {
            var isValidation = fold.Select(x => x == f).ToArray();
            result[f] = (Pick(dataset, isValidation, false), Pick(dataset, isValidation, true));
        }
        return result;
    }

    /// <summary>Takes the first <paramref name="perClass"/> examples of every class, for low-label experiments.</summary>
    /// <param name="dataset">A single-label or multi-label dataset (multi-label examples count toward their rarest label).</param>
    /// <param name="perClass">Examples to keep per class, at least 1.</param>
    /// <param name="seed">Null takes the first ones in dataset order; a seed takes the first ones of a seeded shuffle.</param>
    /// <returns>The sample, in the order it was taken; classes with fewer examples keep all of theirs.</returns>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="perClass"/> is below 1.</exception>
    /// <exception cref="ArgumentException">The dataset is a regression dataset (it has no classes).</exception>
    public static TextDataset FirstPerClass(this ITextDataset dataset, int perClass, int? seed = null)
    {
        ArgumentNullException.ThrowIfNull(dataset);
        ArgumentOutOfRangeException.ThrowIfLessThan(perClass, 1);
        if (dataset.Kind == TaskKind.Regression)
            throw new ArgumentException("A regression dataset has no classes to sample per class; use Shuffle and take a prefix.", nameof(dataset));
        int[] order = Enumerable.Range(0, dataset.Count).ToArray();
        if (seed is { } s) new Random(s).Shuffle(order);
        var keys = StratumKeys(dataset);
        var taken = new Dictionary<int, int>();
        var picked = new List<int>();
        foreach (int index in order)
        {
            int count = taken.GetValueOrDefault(keys[index]);
            if (count >= perClass) continue;
            taken[keys[index]] = count + 1;
            picked.Add(index);
        }
        return Subset(dataset, picked);
    }

    private static int[][] Strata(ITextDataset dataset)
    {
        var keys = StratumKeys(dataset);
        return Enumerable.Range(0, dataset.Count).GroupBy(i => keys[i]).OrderBy(g => g.Key).Select(g => g.ToArray()).ToArray();
    }

    private static int[] StratumKeys(ITextDataset dataset)
    {
        var keys = new int[dataset.Count];
        switch (dataset.Kind)
        {
            case TaskKind.SingleLabel:
                for (int i = 0; i < keys.Length; i++) keys[i] = dataset.LabelMap.IdOf(dataset[i].Label!);
                break;
            case TaskKind.MultiLabel:
                var frequency = new int[dataset.LabelMap.Count];
                foreach (var e in dataset)
                    foreach (string l in e.Labels!) frequency[dataset.LabelMap.IdOf(l)]++;
                for (int i = 0; i < keys.Length; i++)
                {
                    var ids = dataset[i].Labels!.Select(dataset.LabelMap.IdOf).ToArray();
                    // examples without labels form a stratum of their own
                    keys[i] = ids.Length == 0 ? -1 : ids.MinBy(id => (frequency[id], id));
                }
                break;
            default:
                var sorted = Enumerable.Range(0, keys.Length).OrderBy(i => dataset[i].Value).ThenBy(i => i).ToArray();
                for (int rank = 0; rank < sorted.Length; rank++) keys[sorted[rank]] = rank * 10 / sorted.Length;
                break;
        }
        return keys;
    }

    private static TextDataset Pick(ITextDataset dataset, bool[] mask, bool value) =>
        Subset(dataset, Enumerable.Range(0, dataset.Count).Where(i => mask[i] == value).ToArray());

    private static TextDataset Subset(ITextDataset dataset, IReadOnlyList<int> indices)
    {
        var examples = new TextExample[indices.Count];
        for (int i = 0; i < examples.Length; i++) examples[i] = dataset[indices[i]];
        return TextDataset.Create(examples, dataset.Kind, dataset.LabelMap);
    }
}
