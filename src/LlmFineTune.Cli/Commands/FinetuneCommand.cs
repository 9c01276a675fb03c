using System.CommandLine;
using LlmFineTune.Data;
using LlmFineTune.Evaluation;
using LlmFineTune.Modeling;
using LlmFineTune.Training;
using LlmFineTune.Training.Autotune;
using LlmFineTune.Training.Optimizers;

namespace LlmFineTune.Cli.Commands;

/// <summary><c>llmft finetune</c>: trains a classifier on a labeled file, from scratch or from a model directory.</summary>
internal static class FinetuneCommand
{
    public static Command Create(CliContext cli)
    {
        var train = CommonOptions.RequiredPath("--train", "Labeled training file.");
        var validation = new Option<string?>("--validation") { Description = "Labeled validation file, evaluated after every epoch and at the end." };
        var from = new Option<string?>("--from") { Description = "Continue from a pretrained (or fine-tuned) model directory; implies its backbone." };
        var output = CommonOptions.RequiredPath("--output", "Directory for the fine-tuned model.");
        var backbone = new Option<string?>("--backbone") { Description = "Backbone when starting from scratch (default bag): bag, a BERT encoder (bert-*) or a GPT-2 decoder (gpt2-*, the same sizes); with --from it must match the directory's." };
        backbone.AcceptOnlyFromAmong([.. ClassifierFactory.BackboneNames]);
        var head = new Option<string?>("--head") { Description = "Task head; by default the training file's kind (single-label unless it has several labels per line)." };
        head.AcceptOnlyFromAmong("single", "multi", "regression");
        var optimizer = new Option<string>("--optimizer") { Description = "Optimizer.", DefaultValueFactory = _ => "adamw" };
        optimizer.AcceptOnlyFromAmong("adamw", "adam", "sgd");
        var epochs = new Option<int?>("--epochs") { Description = "Passes over the training set (default depends on the backbone)." };
        var learningRate = new Option<double?>("--lr") { Description = "Peak learning rate (default depends on the backbone)." };
        var batchSize = new Option<int?>("--batch-size") { Description = "Examples per step (default 16)." };
        var maxLength = CommonOptions.MaxLength("text (default 256 for bag, 128 for transformers)");
        var vocabSize = new Option<int>("--vocab-size") { Description = "WordPiece vocabulary learned from the training texts when a transformer starts from scratch.", DefaultValueFactory = _ => 8000 };
        var buckets = new Option<int>("--buckets") { Description = "Hash buckets of the bag backbone (its embedding rows).", DefaultValueFactory = _ => 1 << 18 };
        var seed = CommonOptions.Seed();
        var format = CommonOptions.Format();
        var autotune = new Option<bool>("--autotune") { Description = "Search the backbone's settings on the validation set (held out from --train when not given) for --autotune-duration, then keep the best; never reads a test file." };
        var autotuneDuration = new Option<int>("--autotune-duration") { Description = "Seconds the autotune search may take.", DefaultValueFactory = _ => 300 };

        var command = new Command("finetune", "Fine-tune a text classifier on a labeled file and save it.")
        {
            train, validation, from, output, backbone, head, optimizer, epochs, learningRate, batchSize, maxLength, vocabSize, buckets, seed, format, autotune, autotuneDuration,
        };
        command.SetAction(parse => cli.Guard(() =>
        {
            string? fromDirectory = parse.GetValue(from);
            var factoryOptions = new ClassifierFactoryOptions
            {
                Backbone = parse.GetValue(backbone),
                Head = parse.GetValue(head) switch { "multi" => TaskKind.MultiLabel, "regression" => TaskKind.Regression, "single" => TaskKind.SingleLabel, _ => null },
                MaxLength = parse.GetValue(maxLength),
                VocabularySize = parse.GetValue(vocabSize),
                BagBuckets = parse.GetValue(buckets),
                Seed = parse.GetValue(seed),
            };
            // ClassifierFactory.FromPretrained rejects a --backbone that conflicts with the directory's.
            string backboneName = fromDirectory is null ? factoryOptions.Backbone ?? ClassifierFactory.Bag : ClassifierFactory.BackboneOf(fromDirectory);
            var trainSet = CommonOptions.Load(parse.GetValue(train)!, parse.GetValue(format), new TextDatasetLoadOptions { Kind = factoryOptions.Head });
            var trainerOptions = ClassifierFactory.RecommendedTrainerOptions(backboneName, pretrained: fromDirectory is not null);
            trainerOptions.Epochs = parse.GetValue(epochs) ?? trainerOptions.Epochs;
            trainerOptions.LearningRate = parse.GetValue(learningRate) ?? trainerOptions.LearningRate;
            trainerOptions.BatchSize = parse.GetValue(batchSize) ?? trainerOptions.BatchSize;
            trainerOptions.Seed = factoryOptions.Seed;
            trainerOptions.Validate();
            IOptimizerFactory optimizerFactory = parse.GetValue(optimizer) switch
            {
                "adam" => new AdamFactory(),
                "sgd" => new SgdFactory(momentum: 0.9),
                _ => new AdamWFactory(),
            };

            using var model = fromDirectory is null
                ? ClassifierFactory.Create(trainSet, factoryOptions)
                : ClassifierFactory.FromPretrained(fromDirectory, trainSet, factoryOptions);
            var validationSet = parse.GetValue(validation) is { } validationPath
                ? CommonOptions.Load(validationPath, parse.GetValue(format), new TextDatasetLoadOptions { Kind = model.Head.Kind, LabelMap = model.Labels })
                : null;
            cli.Output.WriteLine($"fine-tuning {backboneName}{(fromDirectory is null ? " from scratch" : " from " + fromDirectory)} on {trainSet.Count} examples, {model.Labels.Count} labels ({model.Head.Kind})");
            using var tuned = parse.GetValue(autotune)
                ? new Autotuner(new AutotuneOptions { Duration = TimeSpan.FromSeconds(parse.GetValue(autotuneDuration)), Seed = factoryOptions.Seed })
                    .Tune(trainSet, validationSet, factoryOptions, trainerOptions, fromDirectory, TrainingReports.AutotuneTrials(cli.Output), cli.CancellationToken)
                : null;
            if (tuned is not null)
            {
                cli.Output.WriteLine(FormattableString.Invariant($"autotune: {tuned.Trials.Count} trials, best {tuned.Metric} {tuned.Best.Score:F4} (trial {tuned.Best.Number}, epoch {tuned.Best.BestEpoch}) with {tuned.Best.Settings}"));
            }
            else
            {
                var result = ProgressDisplay.Run(cli, "finetune", progress =>
                    new Trainer(trainerOptions, optimizerFactory, callbacks: [TrainingReports.EpochMetrics(cli.Output)]).Train(model, trainSet, validationSet, progress, cli.CancellationToken));
                cli.Output.WriteLine(FormattableString.Invariant($"{result.Steps} steps, final training loss {result.FinalLoss:F4}"));
                if (result.Calibration is { } calibration) TrainingReports.Calibration(cli.Output, calibration);
            }
            var final = tuned?.Model ?? model;
            if (validationSet is not null)
            {
                var report = new Evaluator(new EvaluationOptions { BootstrapSamples = 200 }).Evaluate(final, validationSet);
                cli.Output.WriteLine("validation: " + string.Join(", ", EvaluateCommand.Headline(report).Select(m => FormattableString.Invariant($"{m.Name} {m.Value:F4}"))));
            }
            string directory = parse.GetValue(output)!;
            final.Save(directory);
            tuned?.SaveSettings(directory);
            cli.Output.WriteLine($"saved to {directory}");
            return ExitCodes.Success;
        }));
        return command;
    }
}
