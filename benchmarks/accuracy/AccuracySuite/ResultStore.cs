using System.Globalization;
using LlmFineTune.Evaluation;

namespace LlmFineTune.Benchmarks.Accuracy;

/// <summary>Finished runs on disk: <c>WORK/results/SET/METHOD-LABELS.json</c> (the report) and <c>.seconds</c> (training + scoring time).</summary>
internal sealed class ResultStore(string work)
{
    private readonly string root = Path.Combine(work, "results");

    public bool TryGet(string set, string method, int labels, out (EvaluationReport Report, double Seconds) result)
    {
        string path = PathOf(set, method, labels);
        if (!File.Exists(path) || !File.Exists(path + ".seconds"))
        {
            result = default;
            return false;
        }
        result = (EvaluationReport.Load(path), double.Parse(File.ReadAllText(path + ".seconds"), CultureInfo.InvariantCulture));
        return true;
    }

    public void Add(string set, string method, int labels, EvaluationReport report, double seconds)
    {
        string path = PathOf(set, method, labels);
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        File.WriteAllText(path + ".seconds", seconds.ToString("R", CultureInfo.InvariantCulture));
        report.Save(path);
    }

    private string PathOf(string set, string method, int labels) => Path.Combine(root, set, FormattableString.Invariant($"{method}-{labels}.json"));
}
