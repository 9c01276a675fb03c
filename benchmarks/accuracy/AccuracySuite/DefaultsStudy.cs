using System.Globalization;
using LlmFineTune.Runtime;
using static TorchSharp.torch;

namespace LlmFineTune.Benchmarks.Accuracy;

/// <summary>
/// The defaults study (docs/defaults.md): <c>AccuracySuite defaults grid</c> trains the grid on every labeled set,
/// <c>defaults report</c> runs leave-one-set-out selection over the recorded validation scores; <c>defaults vectors</c>
/// and <c>vectors-report</c> do the same for the table's learning rate when the bag starts from word vectors (<see cref="VectorStartStudy"/>),
/// <c>defaults transformer</c> and <c>transformer-report</c> for how long a transformer fine-tunes on a few labels (<see cref="TransformerEpochsStudy"/>).
/// </summary>
internal static class DefaultsStudy
{
    public static void Run(string[] args, TextWriter log)
    {
        var map = new Dictionary<string, string>(StringComparer.Ordinal);
        string phase = args.Length > 0 ? args[0] : "grid";
        for (int i = 1; i + 1 < args.Length; i += 2) map[args[i].TrimStart('-')] = args[i + 1];
        string home = Environment.GetFolderPath(Environment.SpecialFolder.UserProfile);
        string data = map.GetValueOrDefault("data", Path.Combine(home, ".cache", "llmfinetune-data"));
        string work = map.GetValueOrDefault("work", Path.Combine(home, ".cache", "llmfinetune-accuracy", "defaults"));
        int seed = int.Parse(map.GetValueOrDefault("seed", "42"), CultureInfo.InvariantCulture);
        Directory.CreateDirectory(work);
        var sets = map.TryGetValue("sets", out var s) ? s.Split(',') : LabeledSets(data);
        TorchRuntime.EnsureAvailable();
        set_num_threads(int.Parse(map.GetValueOrDefault("threads", "1"), CultureInfo.InvariantCulture));
        var settings = map.TryGetValue("settings", out var names)
            ? [.. names.Split(',').Select(n => BagGridSetting.All.Single(g => g.Name == n))]
            : BagGridSetting.All;
        switch (phase)
        {
            case "grid":
                DefaultsGrid.Run(data, sets, settings, Path.Combine(work, "grid.jsonl"), seed, log);
                break;
            case "compare":
                DefaultsComparison.Run(data, sets, work, seed, map.TryGetValue("autotune", out var a) ? int.Parse(a, CultureInfo.InvariantCulture) : null,
                    map.TryGetValue("methods", out var m) ? m.Split(',') : null,
                    Path.GetFullPath(map.GetValueOrDefault("llmft", Path.Combine("src", "LlmFineTune.Cli", "bin", "Release", "net10.0", "llmft.dll"))), log);
                break;
            case "report":
                File.WriteAllText(Path.Combine(work, "defaults-report.md"), DefaultsReport.Render(DefaultsGrid.Load(Path.Combine(work, "grid.jsonl")), new ResultStore(work), data, sets, seed));
                log.WriteLine(File.ReadAllText(Path.Combine(work, "defaults-report.md")));
                break;
            case "vectors":
                VectorStartStudy.Run(data, sets, map.GetValueOrDefault("vectors", Path.Combine(home, ".cache", "llmfinetune-accuracy", BudgetedPretraining.VectorsName(BagSettings.Default, set: null, seed))),
                    Budgets(map.GetValueOrDefault("budgets", "100,500,all")),
                    int.Parse(map.GetValueOrDefault("samples", "3"), CultureInfo.InvariantCulture), map.GetValueOrDefault("self", "false") == "true", work, seed, log);
                break;
            case "transformer":
                TransformerEpochsStudy.Run(data, sets, map.GetValueOrDefault("encoder", Path.Combine(home, ".cache", "llmfinetune-accuracy", BudgetedPretraining.EncoderName(electra: false, set: null, minutes: 15, SuiteOptions.SequenceLength, seed))),
                    [.. map.GetValueOrDefault("examples", "0,3000,10000").Split(',').Select(e => int.Parse(e, CultureInfo.InvariantCulture))],
                    Budgets(map.GetValueOrDefault("budgets", "100,500")), int.Parse(map.GetValueOrDefault("samples", "1"), CultureInfo.InvariantCulture), work, seed, log);
                break;
            case "transformer-report":
                File.WriteAllText(Path.Combine(work, "transformer-report.md"), TransformerEpochsStudy.Report(work));
                log.WriteLine(File.ReadAllText(Path.Combine(work, "transformer-report.md")));
                break;
            case "vectors-report":
                File.WriteAllText(Path.Combine(work, "vectors-report.md"), VectorStartStudy.Report(work));
                log.WriteLine(File.ReadAllText(Path.Combine(work, "vectors-report.md")));
                break;
            default:
                throw new ArgumentException($"Unknown defaults phase '{phase}'. Known: grid, compare, report, vectors, vectors-report, transformer, transformer-report.");
        }
    }

    private static int?[] Budgets(string list) => [.. list.Split(',').Select(b => b == "all" ? (int?)null : int.Parse(b, CultureInfo.InvariantCulture))];

    /// <summary>Every set with a train and a test split in DATA/labeled.</summary>
    public static string[] LabeledSets(string data) =>
        [.. Directory.GetFiles(Path.Combine(data, "labeled"), "*.train.tsv").Select(f => Path.GetFileName(f)[..^".train.tsv".Length])
            .Where(n => File.Exists(Path.Combine(data, "labeled", n + ".test.tsv"))).Order(StringComparer.Ordinal)];
}
