using System.CommandLine;
using System.Text.Encodings.Web;
using System.Text.Json;
using LlmFineTune.Data;
using LlmFineTune.Modeling;

namespace LlmFineTune.Cli.Commands;

/// <summary><c>llmft predict</c>: one JSON object per input line, in order, answered as soon as the line arrives.</summary>
internal static class PredictCommand
{
    private const int BatchSize = 64;
    private static readonly JsonSerializerOptions Json = new() { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };
    private static readonly string EmptyText = JsonSerializer.Serialize(new { error = "empty text" }, Json);

    public static Command Create(CliContext cli)
    {
        var model = CommonOptions.RequiredPath("--model", "Model directory written by 'llmft finetune'.");
        var input = new Option<string?>("--input") { Description = "File with one text per line; standard input when omitted. An empty line is answered with {\"error\":\"empty text\"}." };
        var topK = new Option<int?>("--top-k") { Description = "Keep only the K most probable labels in \"scores\", most probable first (default: every label)." };
        var threshold = new Option<double?>("--threshold") { Description = "Multi-label models: a label applies when its probability is above this (default: the thresholds saved with the model, usually 0.5)." };
        var threads = CommonOptions.Threads();
        var command = new Command("predict", "Classify texts (one per line); prints one JSON object per line, in order: {\"label\": ..., \"scores\": {...}}.")
        {
            model, input, topK, threshold, threads,
        };
        command.SetAction(parse => cli.Guard(() =>
        {
            CommonOptions.ApplyThreads(parse.GetValue(threads));
            if (parse.GetValue(topK) is < 1 and var k)
                throw new ArgumentException($"--top-k must be at least 1 (was {k}).");
            if (parse.GetValue(threshold) is { } t && !(t >= 0 && t <= 1))
                throw new ArgumentException(FormattableString.Invariant($"--threshold must be in [0, 1] (was {t})."));
            string? path = parse.GetValue(input);
            if (path is not null)
                PathChecks.InputFile("--input", path);
            using var classifier = TextClassifier.Load(parse.GetValue(model)!);
            if (parse.GetValue(threshold) is not null && classifier.Head.Kind != TaskKind.MultiLabel)
                throw new ArgumentException($"--threshold applies to multi-label models; this one is {classifier.Head.Kind}. Drop --threshold.");
            if (parse.GetValue(topK) is not null && classifier.Head.Kind == TaskKind.Regression)
                throw new ArgumentException("--top-k keeps the most probable labels, and this model predicts a value (regression). Drop --top-k.");
            var answers = new Answers(classifier, parse.GetValue(topK), parse.GetValue(threshold));
            using var reader = path is null ? null : new StreamReader(path);
            using var batches = new LineBatches(reader ?? cli.Input, BatchSize);
            for (var batch = batches.Next(cli.CancellationToken); batch.Count > 0; batch = batches.Next(cli.CancellationToken))
            {
                foreach (string line in answers.For(batch))
                    cli.Output.WriteLine(line);
                // The caller may be waiting for these answers before it sends the next line.
                cli.Output.Flush();
            }
            return ExitCodes.Success;
        }));
        return command;
    }

    /// <summary>Turns texts into JSON lines: one per text, in order, with empty texts answered without the model.</summary>
    private sealed class Answers(TextClassifier classifier, int? topK, double? threshold)
    {
        public IEnumerable<string> For(List<string> lines)
        {
            var texts = lines.Where(l => !string.IsNullOrWhiteSpace(l)).ToList();
            using var predicted = (texts.Count == 0 ? [] : Predict(texts)).GetEnumerator();
            foreach (string line in lines)
                yield return string.IsNullOrWhiteSpace(line) ? EmptyText : predicted.MoveNext() ? JsonSerializer.Serialize(predicted.Current, Json) : throw new InvalidOperationException("fewer predictions than texts");
        }

        private IEnumerable<object> Predict(List<string> texts) => classifier.Head.Kind switch
        {
            TaskKind.MultiLabel => classifier.PredictLabelsBatch(texts).Select(p => (object)new
            {
                labels = threshold is { } t ? [.. p.Scores.Where(s => s.Value > t).Select(s => s.Key)] : p.Labels,
                scores = Top(p.Scores),
            }),
            TaskKind.Regression => classifier.PredictValues(texts).Select(v => (object)new { value = v }),
            _ => classifier.PredictBatch(texts).Select(p => (object)new { label = p.Label, scores = Top(p.Scores) }),
        };

        private IReadOnlyDictionary<string, float> Top(IReadOnlyDictionary<string, float> scores) =>
            topK is not { } k ? scores : scores.OrderByDescending(s => s.Value).ThenBy(s => s.Key, StringComparer.Ordinal).Take(k).ToDictionary();
    }
}
