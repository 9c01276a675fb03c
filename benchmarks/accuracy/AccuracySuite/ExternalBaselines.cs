using System.Diagnostics;
using System.Globalization;
using System.Text.RegularExpressions;
using LlmFineTune.Data;
using LlmFineTune.Evaluation;

namespace LlmFineTune.Benchmarks.Accuracy;

/// <summary>
/// The baselines a user would try instead: Debian's <c>fasttext supervised</c> and the shared multinomial Naive
/// Bayes script. fastText's predictions become an <see cref="EvaluationReport"/> so the Evaluator's paired
/// bootstrap can compare it with ours on the same test examples.
/// </summary>
internal static partial class ExternalBaselines
{
    /// <summary>fastText's defaults, and the bigram setting of ../shared/peers/fasttext_bench.sh (25 epochs).</summary>
    public static string[] FastTextArguments(string method) => method == Method.FastText
        ? []
        : ["-lr", "0.5", "-wordNgrams", "2", "-dim", "64", "-epoch", "25"];

    public static EvaluationReport FastText(string method, LabeledSet set, IReadOnlyList<TextExample> train, string work, int seed) =>
        FastText(FastTextArguments(method), set, train, validation: null, work, seed).Report;

    /// <summary>
    /// Trains <c>fasttext supervised</c> with the given arguments (and, for autotune, a validation file) and scores the test split.
    /// <c>TrainSeconds</c> is the wall time of the <c>fasttext supervised</c> process alone (no file writing, no prediction).
    /// </summary>
    public static (EvaluationReport Report, double TrainSeconds) FastText(IReadOnlyList<string> arguments, LabeledSet set, IReadOnlyList<TextExample> train, IReadOnlyList<TextExample>? validation, string work, int seed)
    {
        Directory.CreateDirectory(work);
        string trainPath = Path.Combine(work, "train.txt"), testPath = Path.Combine(work, "test.txt"), model = Path.Combine(work, "model");
        // The same preprocessing as fasttext_bench.sh: lower case, punctuation split off, rows shuffled.
        var rows = train.ToList();
        new Random(seed).Shuffle(System.Runtime.InteropServices.CollectionsMarshal.AsSpan(rows));
        File.WriteAllLines(trainPath, rows.Select(FastTextLine));
        File.WriteAllLines(testPath, set.Test.Select(FastTextLine));
        string validationPath = Path.Combine(work, "validation.txt");
        if (validation is not null) File.WriteAllLines(validationPath, validation.Select(FastTextLine));
        var clock = Stopwatch.StartNew();
        Run("fasttext", ["supervised", "-input", trainPath, "-output", model, "-thread", "1", "-seed", seed.ToString(CultureInfo.InvariantCulture), "-verbose", "0",
            .. validation is null ? [] : new[] { "-autotune-validation", validationPath }, .. arguments]);
        double trainSeconds = clock.Elapsed.TotalSeconds;
        var lines = Run("fasttext", ["predict-prob", model + ".bin", testPath, "-1"]).Split('\n', StringSplitOptions.RemoveEmptyEntries);
        if (lines.Length != set.Test.Count)
            throw new InvalidDataException($"fasttext predict-prob gave {lines.Length} lines for {set.Test.Count} test rows ({testPath}).");
        var ids = set.Labels.Select((label, id) => (label, id)).ToDictionary(x => "__label__" + x.label.Replace(' ', '_'), x => x.id, StringComparer.Ordinal);
        var target = new int[lines.Length];
        var predicted = new int[lines.Length];
        var probability = new float[lines.Length];
        for (int i = 0; i < lines.Length; i++)
        {
            var fields = lines[i].Split(' ', StringSplitOptions.RemoveEmptyEntries);
            target[i] = set.Labels.IdOf(set.Test[i].Label!);
            predicted[i] = ids[fields[0]];
            for (int f = 0; f + 1 < fields.Length; f += 2)
                if (ids[fields[f]] == target[i])
                    probability[i] = float.Parse(fields[f + 1], CultureInfo.InvariantCulture);
        }
        var report = new EvaluationReport
        {
            Task = TaskKind.SingleLabel,
            Count = lines.Length,
            Labels = [.. set.Labels],
            Examples = new ExamplePredictions { Target = target, Predicted = predicted, TargetProbability = probability },
        };
        return (report with { Accuracy = Headline(report, "accuracy"), MacroF1 = Headline(report, "macroF1") }, trainSeconds);
    }

    /// <summary>Runs ../shared/data/baseline_nb.py on the sample (its test file is the set's test split).</summary>
    public static (double Accuracy, double MacroF1) NaiveBayes(string shared, LabeledSet set, IReadOnlyList<TextExample> train, string work)
    {
        Directory.CreateDirectory(work);
        string stem = Path.Combine(work, set.Name);
        File.WriteAllLines(stem + ".train.tsv", train.Select(e => e.Label + "\t" + e.Text));
        File.WriteAllLines(stem + ".test.tsv", set.Test.Select(e => e.Label + "\t" + e.Text));
        string output = Run("python3", [Path.Combine(shared, "data", "baseline_nb.py"), stem]);
        var match = NaiveBayesLine().Match(output);
        if (!match.Success)
            throw new InvalidDataException($"baseline_nb.py printed no 'acc X macroF1 Y' line: {output}");
        return (double.Parse(match.Groups[1].Value, CultureInfo.InvariantCulture), double.Parse(match.Groups[2].Value, CultureInfo.InvariantCulture));
    }

    // The Evaluator owns the metric definitions; a report compared with itself yields its own value.
    public static double Headline(EvaluationReport report, string metric) => Evaluator.Compare(report, report, metric, samples: 1).A;

    private static string FastTextLine(TextExample example) => "__label__" + example.Label!.Replace(' ', '_') + " " + FastTextTokens(example.Text);

    /// <summary>A text as fastText is given it here: lower case, punctuation split off, tokens joined by spaces.</summary>
    public static string FastTextTokens(string text) => string.Join(' ', Token().Matches(text.ToLowerInvariant()).Select(m => m.Value));

    /// <summary>Runs a process to the end and returns its standard output; a non-zero exit throws with its standard error.</summary>
    public static string Run(string file, IEnumerable<string> arguments)
    {
        var start = new ProcessStartInfo(file) { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (string argument in arguments) start.ArgumentList.Add(argument);
        using var process = Process.Start(start) ?? throw new InvalidOperationException($"Could not start {file}.");
        var error = process.StandardError.ReadToEndAsync();
        string output = process.StandardOutput.ReadToEnd();
        process.WaitForExit();
        if (process.ExitCode != 0)
            throw new InvalidOperationException($"{file} {string.Join(' ', start.ArgumentList)} failed with exit code {process.ExitCode}: {error.Result}");
        return output;
    }

    // A character outside the BMP is one token (Python's \w+|[^\w\s] sees code points; .NET sees UTF-16 halves).
    [GeneratedRegex(@"\w+|[\uD800-\uDBFF][\uDC00-\uDFFF]|[^\w\s]")]
    private static partial Regex Token();

    [GeneratedRegex(@"acc ([0-9.]+)\s+macroF1 ([0-9.]+)")]
    private static partial Regex NaiveBayesLine();
}
