using System.CommandLine;
using LlmFineTune.Data;
using LlmFineTune.Evaluation;
using LlmFineTune.Modeling;

namespace LlmFineTune.Cli.Commands;

/// <summary><c>llmft compare</c>: two models on one test file, the difference of a metric with a paired bootstrap interval.</summary>
internal static class CompareCommand
{
    public static Command Create(CliContext cli)
    {
        var models = new Option<string[]>("--model") { Description = "A model directory; give exactly two (--model A --model B).", Required = true, Arity = new ArgumentArity(2, 2) };
        var test = CommonOptions.RequiredPath("--test", "Labeled test file both models are scored on.");
        var metric = new Option<string?>("--metric") { Description = "Metric to compare (default accuracy for single-label, microF1 for multi-label, mse for regression); any headline metric of the task: accuracy, balancedAccuracy, macroF1, weightedF1, logLoss; subsetAccuracy, hammingLoss, microF1, macroF1; mse, mae, r2." };
        var samples = new Option<int>("--samples") { Description = "Bootstrap resamples of the test set.", DefaultValueFactory = _ => 1000 };
        var seed = CommonOptions.Seed();
        var format = CommonOptions.Format();
        var fields = new DataFieldOptions();
        var threads = CommonOptions.Threads();
        var command = new Command("compare", "Compare two models on one labeled file: the metric of each and their difference A - B with a paired bootstrap interval.")
        {
            models, test, metric, samples, seed, format, threads,
        };
        foreach (var option in fields.All) command.Options.Add(option);
        command.SetAction(parse => cli.Guard(() =>
        {
            CommonOptions.ApplyThreads(parse.GetValue(threads));
            if (parse.GetValue(samples) < 1)
                throw new ArgumentException($"--samples must be at least 1 (was {parse.GetValue(samples)}).");
            string[] paths = parse.GetValue(models)!;
            var reports = new EvaluationReport[2];
            for (int i = 0; i < 2; i++)
            {
                using var classifier = TextClassifier.Load(paths[i]);
                var testSet = CommonOptions.Load(cli, "--test", parse.GetValue(test)!, parse.GetValue(format), fields.LoadOptions(parse, classifier.Head.Kind, classifier.Labels));
                reports[i] = new Evaluator().Evaluate(classifier, new CancellableDataset(testSet, cli.CancellationToken));
            }
            if (reports[0].Task != reports[1].Task)
                throw new ArgumentException($"--model {paths[0]} is {reports[0].Task} but --model {paths[1]} is {reports[1].Task}; compare two models of the same task.");
            string name = parse.GetValue(metric) ?? reports[0].Task switch { TaskKind.MultiLabel => "microF1", TaskKind.Regression => "mse", _ => "accuracy" };
            var c = Evaluator.Compare(reports[0], reports[1], name, parse.GetValue(samples), seed: parse.GetValue(seed));
            string level = FormattableString.Invariant($"{c.ConfidenceLevel * 100:0.#}%");
            cli.Output.WriteLine(FormattableString.Invariant($"{reports[0].Count} examples, {c.Metric} ({(c.HigherIsBetter ? "higher" : "lower")} is better)"));
            cli.Output.WriteLine(FormattableString.Invariant($"A {paths[0]}: {c.A:F4}"));
            cli.Output.WriteLine(FormattableString.Invariant($"B {paths[1]}: {c.B:F4}"));
            cli.Output.WriteLine(FormattableString.Invariant($"A - B: {c.Difference:+0.0000;-0.0000;0.0000}  {level} paired bootstrap interval [{c.Interval.Lower:F4}, {c.Interval.Upper:F4}] over {c.Samples} resamples"));
            cli.Output.WriteLine(c.IsSignificant ? $"{c.Better} is better (the interval excludes 0)." : "No significant difference (the interval includes 0).");
            return ExitCodes.Success;
        }));
        return command;
    }
}
