using LlmFineTune.Data;

namespace LlmFineTune.Benchmarks.Accuracy;

/// <summary>One shared data set's fixed train/test split (label&lt;TAB&gt;text files built by ../shared/data/build.sh).</summary>
internal sealed record LabeledSet(string Name, IReadOnlyList<TextExample> Train, IReadOnlyList<TextExample> Test, LabelMap Labels)
{
    public static LabeledSet Load(string data, string name, int? testCap, int seed)
    {
        var train = ReadTsv(Path.Combine(data, "labeled", name + ".train.tsv"));
        var test = ReadTsv(Path.Combine(data, "labeled", name + ".test.tsv"));
        if (testCap is int cap && cap < test.Count)
            test = [.. Shuffled(test, seed).Take(cap)];
        return new LabeledSet(name, train, test, LabelMap.FromLabels(train.Select(e => e.Label!)));
    }

    /// <summary>
    /// A seeded, class-balanced sample of the training split: each class shuffled, then classes taken in turn
    /// until <paramref name="budget"/> examples (a class that runs out drops out). Null is the whole split.
    /// </summary>
    public IReadOnlyList<TextExample> Budget(int? budget, int seed)
    {
        if (budget is not int n || n >= Train.Count) return Train;
        var queues = Train.GroupBy(e => e.Label!, StringComparer.Ordinal).OrderBy(g => g.Key, StringComparer.Ordinal)
            .Select(g => new Queue<TextExample>(Shuffled(g.ToList(), seed))).ToList();
        var sample = new List<TextExample>(n);
        while (sample.Count < n)
            foreach (var queue in queues)
                if (sample.Count < n && queue.TryDequeue(out var example)) sample.Add(example);
        return sample;
    }

    public int Count(int? budget) => budget is int n ? Math.Min(n, Train.Count) : Train.Count;

    private static List<TextExample> Shuffled(IReadOnlyList<TextExample> examples, int seed)
    {
        var copy = examples.ToList();
        new Random(seed).Shuffle(System.Runtime.InteropServices.CollectionsMarshal.AsSpan(copy));
        return copy;
    }

    private static List<TextExample> ReadTsv(string path)
    {
        if (!File.Exists(path))
            throw new FileNotFoundException($"{path} not found. Build it with ../shared/data/build.sh (see benchmarks/accuracy/run.sh) or set LLMFT_DATA.", path);
        return File.ReadLines(path).Select((line, i) =>
        {
            int tab = line.IndexOf('\t');
            if (tab <= 0) throw new InvalidDataException($"{path}:{i + 1}: expected 'label<TAB>text'.");
            return TextExample.Labeled(line[(tab + 1)..], line[..tab]);
        }).ToList();
    }
}
