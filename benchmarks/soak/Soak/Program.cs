using System.Diagnostics;
using System.Globalization;
using LlmFineTune.Data;
using LlmFineTune.Modeling;
using LlmFineTune.Modeling.Backbones;
using LlmFineTune.Modeling.Heads;
using LlmFineTune.Tokenization;
using LlmFineTune.Benchmarks.Soak;
using LlmFineTune.Training;
using TorchSharp;

// Soak: many training steps, then many predictions, sampling the process-wide live tensor count
// and the resident set size; both must be flat once warmed up. Exit code 1 when either grows.
// Usage: Soak [steps=5000] [predictions=100000]
int steps = args.Length > 0 ? int.Parse(args[0], CultureInfo.InvariantCulture) : 5000;
int predictions = args.Length > 1 ? int.Parse(args[1], CultureInfo.InvariantCulture) : 100_000;
const int Samples = 10;
// RSS may wander by allocator noise; a leak of one tensor per step would be far larger.
const long RssToleranceKb = 16 * 1024;

torch.manual_seed(1);
torch.set_num_threads(1);
var data = LlmFineTune.Tests.TestData.Topical(perClass: 200, seed: 1);
var tokenizer = new HashingTokenizer(new HashingTokenizerOptions { Buckets = 1 << 14 });
using var model = new TextClassifier(tokenizer, new BagOfNgrams(tokenizer.VocabularySize, 32), new SingleLabelHead(32, data.LabelMap.Count), data.LabelMap, maxLength: 64);

var rows = new List<(string Phase, long Done, long LiveTensors, long RssKb, long ManagedKb)>();
void Sample(string phase, long done) =>
    rows.Add((phase, done, torch.Tensor.TotalCount, ResidentKb(), GC.GetTotalMemory(forceFullCollection: true) / 1024));

var clock = Stopwatch.StartNew();
int every = Math.Max(1, steps / Samples);
var progress = new Synchronous<TrainingProgress>(p =>
{
    if (p.Step % every == 0) Sample("train", p.Step);
});
// Prefetch off: batches then live and die on the loop thread, so the count is taken at a quiet point.
var result = new Trainer(new TrainerOptions { MaxSteps = steps, BatchSize = 8, LearningRate = 0.05, PrefetchBatches = 0 })
    .Train(model, data, progress);
double trainSeconds = clock.Elapsed.TotalSeconds;

clock.Restart();
var texts = data.Select(e => e.Text).ToArray();
int predictEvery = Math.Max(1, predictions / Samples);
for (int i = 1; i <= predictions; i++)
{
    model.Predict(texts[i % texts.Length]);
    if (i % predictEvery == 0) Sample("predict", i);
}
double predictSeconds = clock.Elapsed.TotalSeconds;

Console.WriteLine($"Soak: {result.Steps} training steps in {trainSeconds:F0} s (final loss {result.FinalLoss:F3}), {predictions} predictions in {predictSeconds:F0} s.");
Console.WriteLine();
Console.WriteLine("| phase | done | live tensors | RSS (MB) | managed heap (MB) |");
Console.WriteLine("|---|---:|---:|---:|---:|");
foreach (var r in rows)
    Console.WriteLine($"| {r.Phase} | {r.Done} | {r.LiveTensors} | {r.RssKb / 1024.0:F1} | {r.ManagedKb / 1024.0:F1} |");

bool flat = true;
foreach (var phase in new[] { "train", "predict" })
{
    // The first two samples of a phase are warm-up (allocator pools, JIT, optimizer state).
    var steady = rows.Where(r => r.Phase == phase).Skip(2).ToList();
    if (steady.Count < 2) continue;
    long tensorGrowth = steady[^1].LiveTensors - steady[0].LiveTensors;
    long rssGrowth = steady[^1].RssKb - steady[0].RssKb;
    Console.WriteLine($"{phase}: live tensors {tensorGrowth:+#;-#;0}, RSS {rssGrowth / 1024.0:+0.0;-0.0} MB after warm-up");
    flat &= tensorGrowth <= 0 && rssGrowth <= RssToleranceKb;
}
Console.WriteLine(flat ? "FLAT" : "GROWING");
return flat ? 0 : 1;

static long ResidentKb()
{
    foreach (string line in File.ReadLines("/proc/self/status"))
        if (line.StartsWith("VmRSS:", StringComparison.Ordinal))
            return long.Parse(line.AsSpan(6).Trim().TrimEnd("kB").Trim(), CultureInfo.InvariantCulture);
    return -1;
}

namespace LlmFineTune.Benchmarks.Soak
{
    /// <summary>Reports on the calling thread (Progress&lt;T&gt; would post to the thread pool and sample at a random moment).</summary>
    internal sealed class Synchronous<T>(Action<T> report) : IProgress<T>
    {
        public void Report(T value) => report(value);
    }
}
