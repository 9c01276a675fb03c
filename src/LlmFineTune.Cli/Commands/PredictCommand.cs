using System.CommandLine;
using System.Text.Encodings.Web;
using System.Text.Json;
using LlmFineTune.Data;
using LlmFineTune.Modeling;
using LlmFineTune.Tokenization;

namespace LlmFineTune.Cli.Commands;

/// <summary><c>llmft predict</c>: one JSON object per input line, with the label and every label's score.</summary>
internal static class PredictCommand
{
    private const int BatchSize = 64;
    private static readonly JsonSerializerOptions Json = new() { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    public static Command Create(CliContext cli)
    {
        var model = CommonOptions.RequiredPath("--model", "Model directory written by 'llmft finetune'.");
        var input = new Option<string?>("--input") { Description = "File with one text per line; standard input when omitted." };
        var command = new Command("predict", "Classify texts (one per line); prints one JSON object per line: {\"label\": ..., \"scores\": {...}}.")
        {
            model, input,
        };
        command.SetAction(parse => cli.Guard(() =>
        {
            using var classifier = TextClassifier.Load(parse.GetValue(model)!, Tokenizers.Load);
            string? path = parse.GetValue(input);
            if (path is not null && !File.Exists(path))
                throw new FileNotFoundException($"{path}: input file not found.", path);
            using var reader = path is null ? null : new StreamReader(path);
            var source = reader ?? cli.Input;
            var batch = new List<string>(BatchSize);
            while (source.ReadLine() is { } line)
            {
                if (line.Length == 0) continue;
                batch.Add(line);
                if (batch.Count == BatchSize) Flush(cli.Output, classifier, batch);
            }
            Flush(cli.Output, classifier, batch);
            return ExitCodes.Success;
        }));
        return command;
    }

    private static void Flush(TextWriter output, TextClassifier classifier, List<string> texts)
    {
        if (texts.Count == 0) return;
        IEnumerable<object> answers = classifier.Head.Kind switch
        {
            TaskKind.MultiLabel => classifier.PredictLabelsBatch(texts).Select(p => (object)new { labels = p.Labels, scores = p.Scores }),
            TaskKind.Regression => classifier.PredictValues(texts).Select(v => (object)new { value = v }),
            _ => classifier.PredictBatch(texts).Select(p => (object)new { label = p.Label, scores = p.Scores }),
        };
        foreach (var answer in answers)
            output.WriteLine(JsonSerializer.Serialize(answer, Json));
        texts.Clear();
    }
}
