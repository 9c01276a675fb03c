using System.CommandLine;
using System.Globalization;
using LlmFineTune.Data;
using LlmFineTune.Evaluation;
using LlmFineTune.Modeling;
using LlmFineTune.Modeling.Quantization;

namespace LlmFineTune.Cli.Commands;

/// <summary><c>llmft quantize</c>: a smaller copy of a model (7- or 8-bit weights, a pruned bag table), like fastText's <c>quantize</c>.</summary>
internal static class QuantizeCommand
{
    public static Command Create(CliContext cli)
    {
        var model = CommonOptions.RequiredPath("--model", "Model directory written by 'llmft finetune'.");
        var output = CommonOptions.RequiredPath("--output", "Directory for the quantized model (replaced as a whole if it exists).");
        var keepRows = new Option<int>("--keep-rows")
        {
            Description = "Bag models: embedding rows to keep, largest norm first (fastText's -cutoff); 0 keeps every row training moved beyond its initial range.",
            DefaultValueFactory = _ => 0,
        };
        var bits = new Option<int>("--bits")
        {
            Description = "Bits per value of each weight matrix, 2 to 8 (7: a transformer under a quarter of its size; 8: the closest copy).",
            DefaultValueFactory = _ => new QuantizationOptions().Bits,
        };
        var test = new Option<string?>("--test") { Description = "Labeled file to measure what quantizing costs: both models are evaluated on it." };
        var format = CommonOptions.Format();
        var command = new Command("quantize", "Save a smaller model: weight matrices in 7 bits (--bits) with a scale per row, other tensors in 16, and a bag's embedding table pruned to the rows that matter.")
        {
            model, output, keepRows, bits, test, format,
        };
        command.SetAction(parse => cli.Guard(() =>
        {
            string source = parse.GetValue(model)!;
            string target = parse.GetValue(output)!;
            PathChecks.OutputDirectory("--output", target);
            if (parse.GetValue(test) is { } testFile)
                PathChecks.InputFile("--test", testFile);
            var options = new QuantizationOptions { KeepRows = parse.GetValue(keepRows), Bits = parse.GetValue(bits) };
            options.Validate();
            using var original = TextClassifier.Load(source);
            var result = ModelQuantizer.Save(original, target, options);
            long before = Directory.GetFiles(source).Sum(f => new FileInfo(f).Length);
            cli.Output.WriteLine(FormattableString.Invariant($"{source}: {Megabytes(before)} -> {target}: {Megabytes(result.DirectoryBytes)} ({100.0 * result.DirectoryBytes / before:F1}%)"));
            cli.Output.WriteLine(result.TotalRows > 0
                ? FormattableString.Invariant($"{result.QuantizedMatrices} weight matrices in {options.Bits} bits; kept {result.KeptRows:N0} of {result.TotalRows:N0} embedding rows")
                : FormattableString.Invariant($"{result.QuantizedMatrices} weight matrices in {options.Bits} bits"));
            if (parse.GetValue(test) is { } testPath)
            {
                using var quantized = TextClassifier.Load(target);
                var testSet = CommonOptions.Load(cli, "--test", testPath, parse.GetValue(format), new TextDatasetLoadOptions { Kind = original.Head.Kind, LabelMap = original.Labels });
                var evaluator = new Evaluator();
                var reference = evaluator.Evaluate(original, testSet);
                string name = reference.AvailableMetrics.Contains("macroF1") ? "macroF1" : EvaluateCommand.Headline(reference).First().Name;
                double was = reference.GetMetric(name), now = evaluator.Evaluate(quantized, testSet).GetMetric(name);
                cli.Output.WriteLine(FormattableString.Invariant($"{name} on {testPath}: {was:F4} -> {now:F4} ({now - was:+0.0000;-0.0000;0.0000})"));
            }
            return ExitCodes.Success;
        }));
        return command;
    }

    private static string Megabytes(long bytes) => (bytes / 1e6).ToString("F2", CultureInfo.InvariantCulture) + " MB";
}
