using System.CommandLine;
using LlmFineTune.Data;
using LlmFineTune.Evaluation;
using LlmFineTune.Modeling;
using LlmFineTune.Training;
using LlmFineTune.Training.Autotune;
using LlmFineTune.Training.Optimizers;
using LlmFineTune.Training.Schedules;

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
        var backbone = CommonOptions.Backbone("Backbone when starting from scratch (default bag): bag, a BERT encoder (bert-*) or a GPT-2 decoder (gpt2-*, the same sizes); with --from it must match the directory's. Sizes: docs/presets.md.");
        var head = new Option<string?>("--head") { Description = "Task head; by default the training file's kind (single-label unless it has several labels per line)." };
        head.AcceptOnlyFromAmong("single", "multi", "regression");
        var optimizer = new Option<string>("--optimizer") { Description = $"Optimizer (sgd with momentum {NamedOptimizers.SgdMomentum}).", DefaultValueFactory = _ => NamedOptimizers.Names[0] };
        optimizer.AcceptOnlyFromAmong([.. NamedOptimizers.Names]);
        var epochs = new Option<int?>("--epochs") { Description = "Passes over the training set (default depends on the backbone)." };
        var learningRate = new Option<double?>("--lr") { Description = "Peak learning rate (default depends on the backbone)." };
        var batchSize = new Option<int?>("--batch-size") { Description = "Examples per step (default 16)." };
        var weightDecay = new Option<double?>("--weight-decay") { Description = "Weight decay (L2 for adam and sgd, decoupled for adamw; default 0.01 for adamw, 0 otherwise)." };
        var warmupSteps = new Option<int?>("--warmup-steps") { Description = "Warm the learning rate up over this many steps, then decay it linearly to 0; by default it stays constant." };
        var warmupRatio = new Option<double?>("--warmup-ratio") { Description = "Like --warmup-steps, as a share of all steps (e.g. 0.1)." };
        var patience = new Option<int?>("--early-stopping-patience") { Description = "Stop after this many epochs without a better validation macro-F1 (loss for regression), and keep the best epoch's weights (needs --validation)." };
        var transformer = ModelPresets.All.First(p => p.Kind != ClassifierFactory.Bag);
        var maxLength = CommonOptions.MaxLength($"text (default {ModelPresets.Bag.MaxLength} for bag, {transformer.MaxLength} for transformers)");
        var maxPositions = CommonOptions.MaxPositions();
        var vocabSize = new Option<int?>("--vocab-size") { Description = $"WordPiece vocabulary learned from the training texts when a transformer starts from scratch (default {transformer.VocabularySize})." };
        var buckets = new Option<int?>("--buckets") { Description = $"Hash buckets of the bag backbone (its embedding rows; default {ModelPresets.Bag.VocabularySize})." };
        var resume = new Option<bool>("--resume") { Description = "Continue an interrupted run from its checkpoint (OUTPUT.checkpoints); give the same flags as the first run. The result equals an uninterrupted run." };
        var checkpointEvery = new Option<int>("--checkpoint-every") { Description = "Also write a checkpoint every this many steps (to survive a crash or kill -9); by default only when interrupted." };
        var threads = CommonOptions.Threads();
        var seed = CommonOptions.Seed();
        var format = CommonOptions.Format();
        var pretrainOnTrain = SelfPretraining.Option();
        var pretrainObjective = SelfPretraining.ObjectiveOption();
        var fields = new DataFieldOptions();
        var autotune = new Option<bool>("--autotune") { Description = "Search the backbone's settings on the validation set (held out from --train when not given) for --autotune-duration, then keep the best; never reads a test file." };
        var autotuneDuration = new Option<int>("--autotune-duration") { Description = "Seconds the autotune search may take.", DefaultValueFactory = _ => 300 };

        var command = new Command("finetune", "Fine-tune a text classifier on a labeled file and save it. Ctrl-C or SIGTERM saves a checkpoint; --resume continues from it.")
        {
            train, validation, from, output, backbone, head, optimizer, epochs, learningRate, batchSize, weightDecay, warmupSteps, warmupRatio, patience,
            maxLength, maxPositions, vocabSize, buckets, resume, checkpointEvery, threads, seed, format, pretrainOnTrain, pretrainObjective, autotune, autotuneDuration,
        };
        foreach (var option in fields.All) command.Options.Add(option);
        command.SetAction(parse => cli.Guard(() =>
        {
            string? fromDirectory = parse.GetValue(from);
            string? validationPath = parse.GetValue(validation);
            string directory = parse.GetValue(output)!;
            var (factoryOptions, optimizerFactory) = Model(parse);
            if (parse.GetValue(warmupSteps) is not null && parse.GetValue(warmupRatio) is not null)
                throw new ArgumentException("--warmup-steps and --warmup-ratio both set the warm-up; give one.");
            // --warmup-ratio is the CLI's own way to give the library's warm-up steps, so its range is checked here.
            if (parse.GetValue(warmupRatio) is { } r && !(r >= 0 && r < 1))
                throw new ArgumentException(FormattableString.Invariant($"--warmup-ratio must be in [0, 1) (was {r})."));
            if (parse.GetValue(pretrainObjective) is { } objectiveName && !SelfPretraining.Requested(parse, pretrainOnTrain))
                throw new ArgumentException($"--pretrain-objective {objectiveName} chooses how --pretrain-on-train pretrains; add --pretrain-on-train or drop it.");
            if (parse.GetValue(patience) is not null && validationPath is null)
                throw new ArgumentException("--early-stopping-patience watches the validation macro-F1 (loss for regression); give --validation too.");
            CommonOptions.ApplyThreads(parse.GetValue(threads));
            PathChecks.OutputDirectory("--output", directory);
            var checkpoints = new TrainingCheckpoints(directory, parse.GetValue(checkpointEvery), cli.CancellationToken);
            string? resumeFrom = parse.GetValue(resume) ? checkpoints.RequireLatest() : null;

            // ClassifierFactory.FromPretrained rejects a --backbone that conflicts with the directory's.
            string backboneName = fromDirectory is null ? factoryOptions.Backbone ?? ClassifierFactory.Bag : ClassifierFactory.BackboneOf(fromDirectory);
            var trainSet = CommonOptions.Load(cli, "--train", parse.GetValue(train)!, parse.GetValue(format), fields.LoadOptions(parse, factoryOptions.Head));
            var trainerOptions = TrainerOptions.Recommended(backboneName, pretrained: fromDirectory is not null || SelfPretraining.Requested(parse, pretrainOnTrain), trainSet.Count);
            trainerOptions.Epochs = parse.GetValue(epochs) ?? trainerOptions.Epochs;
            trainerOptions.LearningRate = parse.GetValue(learningRate) ?? trainerOptions.LearningRate;
            trainerOptions.BatchSize = parse.GetValue(batchSize) ?? trainerOptions.BatchSize;
            trainerOptions.Seed = factoryOptions.Seed;
            trainerOptions.CheckpointEverySteps = parse.GetValue(checkpointEvery);
            trainerOptions.ResumeFrom = resumeFrom;
            if (parse.GetValue(patience) is { } stopAfter)
            {
                trainerOptions.EarlyStoppingPatience = stopAfter;
                trainerOptions.RestoreBestWeights = true;
            }
            trainerOptions.Validate();
            var schedule = Schedule(parse.GetValue(warmupSteps), parse.GetValue(warmupRatio), trainSet.Count, trainerOptions);

            string? selfPretrained = SelfPretraining.Requested(parse, pretrainOnTrain)
                ? SelfPretraining.Run(cli, parse, pretrainOnTrain, parse.GetValue(pretrainObjective), trainSet, backboneName, fromDirectory, parse.GetValue(maxLength), factoryOptions.VocabularySize, factoryOptions.Seed)
                : null;
            using var model = (selfPretrained ?? fromDirectory) is not { } start
                ? ClassifierFactory.Create(trainSet, factoryOptions)
                : ClassifierFactory.FromPretrained(start, trainSet, factoryOptions);
            if (selfPretrained is not null)
                Directory.Delete(selfPretrained, recursive: true);
            PathChecks.OutputDirectory("--output", directory, ModelSize.Bytes(model));
            var validationSet = validationPath is not null
                ? CommonOptions.Load(cli, "--validation", validationPath, parse.GetValue(format), fields.LoadOptions(parse, model.Head.Kind, model.Labels))
                : null;
            cli.Output.WriteLine($"fine-tuning {backboneName}{(selfPretrained is not null ? " after self-pretraining" : fromDirectory is null ? " from scratch" : " from " + fromDirectory)} on {trainSet.Count} examples, {model.Labels.Count} labels ({model.Head.Kind})"
                + (resumeFrom is null ? "" : $", resuming from {resumeFrom}"));
            if (parse.GetValue(autotune) && resumeFrom is not null)
                throw new ArgumentException("--resume continues one training run; an --autotune search is not resumable. Drop one of them.");
            using var tuned = parse.GetValue(autotune)
                ? new Autotuner(new AutotuneOptions { Duration = TimeSpan.FromSeconds(parse.GetValue(autotuneDuration)), Seed = factoryOptions.Seed })
                    .Tune(trainSet, validationSet, factoryOptions, trainerOptions, selfPretrained ?? fromDirectory, TrainingReports.AutotuneTrials(cli.Output), cli.CancellationToken)
                : null;
            if (tuned is not null)
            {
                cli.Output.WriteLine(FormattableString.Invariant($"autotune: {tuned.Trials.Count} trials, best {tuned.Metric} {tuned.Best.Score:F4} (trial {tuned.Best.Number}, epoch {tuned.Best.BestEpoch}) with {tuned.Best.Settings}"));
            }
            else
            {
                if (!checkpoints.TryTrain(cli, "finetune", () => ProgressDisplay.Run(cli, "finetune", progress =>
                        new Trainer(trainerOptions, optimizerFactory, schedule, checkpoints: checkpoints, callbacks: [TrainingReports.EpochMetrics(cli.Output)])
                            .Train(model, trainSet, validationSet, progress, cli.CancellationToken)), out var result))
                    return ExitCodes.Cancelled;
                cli.Output.WriteLine(FormattableString.Invariant($"{result.Steps} steps, final training loss {result.FinalLoss:F4}") + (result.StoppedEarly ? $" (stopped early; kept the weights of step {result.BestStep})" : ""));
                // without --validation the trainer held out part of --train and kept its best epoch: say which, so a user sees the choice
                if (validationSet is null && result.Evaluations.FirstOrDefault(e => e.Step == result.BestStep) is { } kept)
                    cli.Output.WriteLine(FormattableString.Invariant($"kept epoch {kept.Epoch} of {result.Evaluations.Count}: the best validation {result.BestMetricName} ({result.BestMetric:F4}) on the held-out part of --train"));
                if (result.Calibration is { } calibration) TrainingReports.Calibration(cli.Output, calibration);
            }
            var final = tuned?.Model ?? model;
            if (validationSet is not null)
            {
                var report = new Evaluator(new EvaluationOptions { BootstrapSamples = 200 }).Evaluate(final, validationSet);
                cli.Output.WriteLine("validation: " + string.Join(", ", EvaluateCommand.Headline(report).Select(m => FormattableString.Invariant($"{m.Name} {m.Value:F4}"))));
            }
            final.Save(directory);
            tuned?.SaveSettings(directory);
            checkpoints.Delete();
            cli.Output.WriteLine($"saved to {directory}");
            return ExitCodes.Success;
        }));
        return command;
    }

    /// <summary>
    /// What the flags ask <see cref="ClassifierFactory"/> to build and which optimizer they choose: every default not given comes
    /// from the library (<see cref="ModelPresets"/>, <see cref="NamedOptimizers"/>), which also checks the values, naming its
    /// options (UserErrors turns them into the flags).
    /// </summary>
    internal static (ClassifierFactoryOptions Model, IOptimizerFactory Optimizer) Model(ParseResult parse)
    {
        var model = new ClassifierFactoryOptions
        {
            Backbone = parse.GetValue<string?>("--backbone"),
            Head = parse.GetValue<string?>("--head") switch { "multi" => TaskKind.MultiLabel, "regression" => TaskKind.Regression, "single" => TaskKind.SingleLabel, _ => null },
            MaxLength = parse.GetValue<int?>("--max-length"),
            MaxPositions = parse.GetValue<int?>("--max-positions"),
            VocabularySize = parse.GetValue<int?>("--vocab-size"),
            BagBuckets = parse.GetValue<int?>("--buckets"),
            Seed = parse.GetValue<int>("--seed"),
        };
        return (model, NamedOptimizers.Create(parse.GetValue<string>("--optimizer")!, parse.GetValue<double?>("--weight-decay")));
    }

    /// <summary>
    /// Linear warm-up then decay when a warm-up is asked for; otherwise null, so the Trainer's default schedule applies
    /// (the CLI once used a constant rate here while the library decayed: the same data scored lower from the CLI).
    /// </summary>
    private static ILearningRateSchedule? Schedule(int? warmupSteps, double? warmupRatio, int examples, TrainerOptions options)
    {
        if (warmupRatio is { } ratio)
        {
            long steps = (examples + (long)options.BatchSize - 1) / options.BatchSize * options.Epochs;
            warmupSteps = (int)Math.Ceiling(ratio * Math.Min(steps, int.MaxValue));
        }
        return warmupSteps is { } warmup ? new LinearSchedule(warmup) : null;
    }
}
