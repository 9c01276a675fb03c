using System.Globalization;
using System.Reflection;
using BenchmarkDotNet.Columns;
using BenchmarkDotNet.Reports;
using BenchmarkDotNet.Running;

namespace LlmFineTune.Benchmarks.Inference;

/// <summary>The inference columns: texts per second (from the median and <see cref="TextsPerOperationAttribute"/>), and P99 per operation or per request.</summary>
internal sealed class InferenceColumn(string name, string legend, Func<Summary, BenchmarkCase, double?> value) : IColumn
{
    public static IColumn[] All { get; } =
    [
        new InferenceColumn("texts/s", "Texts classified per second, from the median time of one operation", TextsPerSecond),
        new InferenceColumn("P99", "99th percentile of the time of one operation (one call when InvocationCount is 1), ms", (s, c) => s[c]?.ResultStatistics?.Percentiles.Percentile(99) / 1e6),
        new InferenceColumn("P50 (req)", "Median latency of one request to the service over the measured iterations, ms", (s, c) => RequestLatencies.Percentile(c, Iterations(c), 50)),
        new InferenceColumn("P99 (req)", "99th percentile latency of one request to the service over the measured iterations, ms", (s, c) => RequestLatencies.Percentile(c, Iterations(c), 99)),
        new InferenceColumn("texts/pass", "Mean texts per forward pass of the served model (its batch size), over the whole run", (s, c) => RequestLatencies.MeanTextsPerPass(c)),
    ];

    public string Id => nameof(InferenceColumn) + name;

    public string ColumnName => name;

    public bool AlwaysShow => true;

    public ColumnCategory Category => ColumnCategory.Custom;

    public int PriorityInCategory => 1;

    public bool IsNumeric => true;

    public UnitType UnitType => UnitType.Dimensionless;

    public string Legend => legend;

    public string GetValue(Summary summary, BenchmarkCase benchmarkCase) => GetValue(summary, benchmarkCase, SummaryStyle.Default);

    public string GetValue(Summary summary, BenchmarkCase benchmarkCase, SummaryStyle style) =>
        value(summary, benchmarkCase) is { } v ? v.ToString(v >= 100 ? "F0" : "F3", CultureInfo.InvariantCulture) : "-";

    public bool IsAvailable(Summary summary) => summary.BenchmarksCases.Any(c => c.Descriptor.Type.Namespace == typeof(InferenceColumn).Namespace);

    public bool IsDefault(Summary summary, BenchmarkCase benchmarkCase) => false;

    private static double? TextsPerSecond(Summary summary, BenchmarkCase benchmarkCase)
    {
        var texts = benchmarkCase.Descriptor.WorkloadMethod.GetCustomAttribute<TextsPerOperationAttribute>();
        var statistics = summary[benchmarkCase]?.ResultStatistics;
        if (texts is null || statistics is null) return null;
        double count = texts.Texts * (texts.MultipliedBy is { } parameter ? Convert.ToDouble(benchmarkCase.Parameters[parameter], CultureInfo.InvariantCulture) : 1);
        return count / (statistics.Median / 1e9);
    }

    private static int Iterations(BenchmarkCase benchmarkCase) =>
        benchmarkCase.Job.Run.HasValue(BenchmarkDotNet.Jobs.RunMode.IterationCountCharacteristic) ? benchmarkCase.Job.Run.IterationCount : int.MaxValue;
}
