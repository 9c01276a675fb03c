using System.CommandLine;
using LlmFineTune.Data;
using LlmFineTune.Modeling;
using LlmFineTune.Modeling.Backbones;
using LlmFineTune.Pretraining;
using LlmFineTune.Tokenization;
using LlmFineTune.Training.Schedules;
using static LlmFineTune.Cli.Commands.PretrainingObjectives;

namespace LlmFineTune.Cli.Commands;

/// <summary>
/// <c>llmft pretrain</c>: a BERT encoder (masked LM or ELECTRA) or GPT-2 decoder (causal LM) and its WordPiece vocabulary from unlabeled
/// text, or word vectors for the bag (skip-gram, CBOW); continues a saved model with <c>--from</c>.
/// </summary>
internal static class PretrainCommand
{
    private static readonly LanguageModelPretrainingOptions Defaults = new();
    private static readonly WordVectorOptions VectorDefaults = new();
    private static readonly ReplacedTokenDetectionOptions ElectraDefaults = new();

    public static Command Create(CliContext cli)
    {
        var corpus = new Option<string[]>("--corpus") { Description = "Plain-text corpus file(s).", Required = true, AllowMultipleArgumentsPerToken = true, Arity = ArgumentArity.OneOrMore };
        var output = CommonOptions.RequiredPath("--output", "Directory for the pretrained model (config.json, model.safetensors, tokenizer files, pretraining.json).");
        var backbone = CommonOptions.Backbone("Model: a BERT encoder (bert-tiny, bert-mini, bert-small, bert-base) for mlm or electra, a GPT-2 decoder of the same sizes (gpt2-tiny ... gpt2-base) for clm, or bag for word vectors (skipgram, cbow). Default bert-mini, gpt2-mini with --objective clm, bag with skipgram or cbow; with --from, the directory's. Sizes: docs/presets.md.");
        var objective = new Option<string?>("--objective") { Description = "Pretraining objective: masked (mlm, BERT encoders) or causal (clm, GPT-2 decoders) language modelling, ELECTRA's replaced-token detection (electra, BERT encoders: a small generator fills masked tokens and the encoder learns to spot them; saves the encoder), or skipgram / cbow word vectors (bag). Default: the backbone's, else mlm." };
        objective.AcceptOnlyFromAmong(PretrainingObjectives.All);
        var from = new Option<string?>("--from") { Description = "Continue pretraining this model directory (a pretrained or fine-tuned BERT or GPT-2) on the corpus: its weights and vocabulary carry over (domain adaptation)." };
        var timeBudget = new Option<string?>("--time-budget") { Description = "Train for this long (e.g. 15m, 1h): a few timed steps fix the step count (printed and saved in pretraining.json; repeat the run exactly with --steps). Not with --steps." };
        var steps = new Option<int?>("--steps") { Description = "Optimizer steps; by default one pass over the corpus (see --epochs)." };
        var epochs = new Option<int?>("--epochs") { Description = $"Passes over the corpus when neither --steps nor --time-budget is given (default 1; {VectorDefaults.Epochs} for word vectors)." };
        var vocabSize = new Option<int>("--vocab-size") { Description = "WordPiece vocabulary size learned from the corpus.", DefaultValueFactory = _ => Defaults.VocabularySize };
        var maxLength = CommonOptions.MaxLength($"pretraining sequence (default {Defaults.MaxLength})");
        var maxPositions = CommonOptions.MaxPositions();
        var batchSize = new Option<int>("--batch-size") { Description = "Sequences per step.", DefaultValueFactory = _ => Defaults.BatchSize };
        var learningRate = new Option<double?>("--lr") { Description = FormattableString.Invariant($"Peak learning rate (default {Defaults.LearningRate}; {VectorDefaults.LearningRate} for word vectors).") };
        var warmupSteps = new Option<int?>("--warmup-steps") { Description = $"Warm the learning rate up over this many steps, then decay it linearly to 0 (default {LanguageModelPretrainingOptions.DefaultWarmupShare:P0} of the steps)." };
        var clip = new Option<double>("--clip") { Description = "Clip the global gradient norm to this value.", DefaultValueFactory = _ => Defaults.MaxGradientNorm ?? 1 };
        var maskProbability = new Option<double?>("--mask-probability") { Description = FormattableString.Invariant($"Share of tokens masked LM predicts (mlm, default {Defaults.Masking.Probability}) or ELECTRA's generator replaces (electra, default {ElectraDefaults.Masking.Probability}).") };
        var generatorSize = new Option<double?>("--generator-size") { Description = FormattableString.Invariant($"ELECTRA's generator width as a share of the encoder's (electra only; default {ElectraDefaults.GeneratorSizeFraction}).") };
        var dimension = new Option<int>("--dim") { Description = "Width of the word vectors (the bag's embedding width).", DefaultValueFactory = _ => VectorDefaults.Dimension };
        var buckets = new Option<int>("--buckets") { Description = "Hash buckets of the bag (its embedding rows), for word vectors.", DefaultValueFactory = _ => VectorDefaults.Tokenizer.Buckets };
        var separator = new Option<string>("--separator") { Description = "Where documents end in the corpus: a blank line, or every line.", DefaultValueFactory = _ => "blank" };
        separator.AcceptOnlyFromAmong("blank", "line");
        var packing = new Option<bool>("--packing") { Description = "Pack documents back to back into full sequences (for long documents); by default each sequence holds one document." };
        var heldOut = new Option<int>("--held-out") { Description = "Documents kept back to report loss and perplexity before and after.", DefaultValueFactory = _ => 0 };
        var resume = new Option<bool>("--resume") { Description = "Continue an interrupted run from its checkpoint (OUTPUT.checkpoints); give the same flags as the first run. The result equals an uninterrupted run." };
        var threads = CommonOptions.Threads();
        var seed = CommonOptions.Seed();

        var command = new Command("pretrain", "Pretrain a BERT encoder (masked LM or ELECTRA) or a GPT-2 decoder (causal LM) on unlabeled text (a WordPiece vocabulary is learned from the corpus), or word vectors for the bag. Ctrl-C or SIGTERM saves a checkpoint; --resume continues from it.")
        {
            corpus, output, backbone, objective, from, timeBudget, steps, epochs, vocabSize, maxLength, maxPositions, batchSize, learningRate, warmupSteps, clip, maskProbability, generatorSize, dimension, buckets, separator, packing, heldOut, resume, threads, seed,
        };
        command.SetAction(parse => cli.Guard(() =>
        {
            string? fromDirectory = parse.GetValue(from);
            var (model, kind) = Resolve(fromDirectory is null ? parse.GetValue(backbone) : Continued(fromDirectory, parse.GetValue(backbone)), parse.GetValue(objective));
            if (kind is not (Masked or Electra) && parse.GetValue(maskProbability) is not null)
                throw new ArgumentException($"--mask-probability applies to masked LM and ELECTRA, and {model} trains with {(kind == Causal ? "causal LM" : kind)}. Drop it, or pretrain a bert-* backbone.");
            if (kind != Electra && parse.GetValue(generatorSize) is not null)
                throw new ArgumentException("--generator-size applies to --objective electra only; drop it or add --objective electra.");
            // The library checks the numbers (naming its options, which UserErrors turns into the flags); a schedule checks its warm-up when built.
            var schedule = parse.GetValue(warmupSteps) is int warmup ? new LinearSchedule(warmup) : null;
            CommonOptions.ApplyThreads(parse.GetValue(threads));
            TimeSpan? budget = parse.GetValue(timeBudget) is { } text ? Duration.Parse(text, "--time-budget") : null;
            if (budget is not null && parse.GetValue(steps) is not null)
                throw new ArgumentException("Pass --time-budget or --steps, not both: the budget is turned into a step count.");
            string directory = parse.GetValue(output)!;
            PathChecks.OutputDirectory("--output", directory);
            foreach (string corpusFile in parse.GetValue(corpus)!)
                PathChecks.InputFile("--corpus", corpusFile);
            var corpusOptions = new TextCorpusOptions { Separator = parse.GetValue(separator) == "line" ? DocumentSeparator.Line : DocumentSeparator.BlankLine };
            var documents = TextCorpus.FromFiles(parse.GetValue(corpus)!, corpusOptions).Read().Select(d => d.Text).ToList();

            if (kind is SkipGram or Cbow)
            {
                if (budget is not null || parse.GetValue(steps) is not null)
                    throw new ArgumentException("Word vectors train by --epochs (a pass over a 25 MB corpus takes about a minute); drop --time-budget and --steps.");
                if (parse.GetValue(resume))
                    throw new ArgumentException("--resume continues masked or causal LM pretraining; word vectors train in minutes, so run them again.");
                var vectorOptions = new WordVectorOptions
                {
                    Objective = kind == SkipGram ? WordVectorObjective.SkipGram : WordVectorObjective.Cbow,
                    Tokenizer = new HashingTokenizerOptions { Buckets = parse.GetValue(buckets) },
                    Dimension = parse.GetValue(dimension),
                    Epochs = parse.GetValue(epochs) ?? VectorDefaults.Epochs,
                    LearningRate = parse.GetValue(learningRate) ?? VectorDefaults.LearningRate,
                    Seed = parse.GetValue(seed),
                };
                cli.Output.WriteLine($"learning {kind} word vectors for the bag on {documents.Count} documents");
                var vectors = WordVectorPretraining.Run(documents, directory, vectorOptions, cli.CancellationToken);
                cli.Output.WriteLine(FormattableString.Invariant($"{vectors.Words:N0} words, {vectors.Epochs} epochs, loss {vectors.FirstEpochLoss:F4} -> {vectors.LastEpochLoss:F4}"));
                cli.Output.WriteLine($"saved to {directory}");
                return ExitCodes.Success;
            }

            var checkpoints = new TrainingCheckpoints(directory, everySteps: 0, cli.CancellationToken);
            string? resumeFrom = parse.GetValue(resume) ? checkpoints.RequireLatest() : null;
            var options = new LanguageModelPretrainingOptions
            {
                Backbone = model,
                From = fromDirectory,
                VocabularySize = parse.GetValue(vocabSize),
                MaxLength = parse.GetValue(maxLength) ?? Defaults.MaxLength,
                MaxPositions = parse.GetValue(maxPositions),
                BatchSize = parse.GetValue(batchSize),
                Epochs = parse.GetValue(epochs) ?? Defaults.Epochs,
                Steps = parse.GetValue(steps),
                TimeBudget = budget,
                LearningRate = parse.GetValue(learningRate) ?? Defaults.LearningRate,
                Schedule = schedule,
                MaxGradientNorm = parse.GetValue(clip),
                Masking = parse.GetValue(maskProbability) is double probability ? new MaskingOptions { Probability = probability } : Defaults.Masking,
                Packing = parse.GetValue(packing),
                ReplacedTokenDetection = kind == Electra ? ElectraOptions(parse.GetValue(maskProbability), parse.GetValue(generatorSize)) : null,
                HeldOutDocuments = parse.GetValue(heldOut),
                Seed = parse.GetValue(seed),
                Checkpoints = checkpoints,
                ResumeFrom = resumeFrom,
            };
            cli.Output.WriteLine($"pretraining {options.Backbone} ({kind switch { Causal => "causal LM", Electra => "ELECTRA replaced-token detection", _ => "masked LM" }}){(fromDirectory is null ? "" : " from " + fromDirectory)} on {documents.Count} documents{(budget is null ? "" : $" for {budget:c}")}"
                + (resumeFrom is null ? "" : $", resuming from {resumeFrom}"));
            if (!checkpoints.TryTrain(cli, "pretrain", () => ProgressDisplay.Run(cli, "pretrain", progress => LanguageModelPretraining.Run(documents, directory, options, progress, cli.CancellationToken)), out var result))
                return ExitCodes.Cancelled;
            checkpoints.Delete();
            if (result.Calibration is { } calibration)
                cli.Output.WriteLine(FormattableString.Invariant(
                    $"time budget {calibration.Budget:c}: {calibration.TimedSteps} steps timed, {calibration.SecondsPerStep:F3} s/step at the run's mean of {calibration.PaddedTokensPerStep:N0} padded tokens per step -> {calibration.Steps} steps (repeat exactly with --steps {calibration.Steps})"));
            cli.Output.WriteLine(FormattableString.Invariant($"vocabulary {result.VocabularySize} pieces, {result.Training.Steps} steps, final loss {result.Training.FinalLoss:F4}"));
            if (result.Before is { } before && result.After is { } after)
                cli.Output.WriteLine(kind == Electra
                    ? FormattableString.Invariant($"held-out loss (generator + {ElectraDefaults.DiscriminatorWeight} x discriminator) {before.Loss:F4} -> {after.Loss:F4}")
                    : FormattableString.Invariant($"held-out perplexity {before.Perplexity:F1} -> {after.Perplexity:F1}"));
            cli.Output.WriteLine($"saved to {directory} (recipe in {LanguageModelPretraining.RecipeFileName})");
            return ExitCodes.Success;
        }));
        return command;
    }

    /// <summary>ELECTRA's settings: the paper's, with the flags' masking share and generator size where given.</summary>
    private static ReplacedTokenDetectionOptions ElectraOptions(double? maskProbability, double? generatorSize)
    {
        var options = new ReplacedTokenDetectionOptions();
        if (maskProbability is { } p) options.Masking.Probability = p;
        if (generatorSize is { } g) options.GeneratorSizeFraction = g;
        return options;
    }

    /// <summary>The backbone of the directory to continue, checked against an explicit <c>--backbone</c>.</summary>
    private static string Continued(string directory, string? backbone)
    {
        string kind = ClassifierFactory.BackboneOf(directory);
        if (backbone is not null && backbone != kind)
            throw new ArgumentException($"--backbone {backbone} conflicts with --from {directory}, which holds a {kind} model; leave --backbone out.");
        if (kind == ClassifierFactory.Bag)
            throw new ArgumentException($"--from {directory} holds a bag model; --from continues a BERT or GPT-2 model. Learn new word vectors with --backbone bag --objective skipgram instead.");
        return kind;
    }

    /// <summary>The backbone from the flags: an encoder trains with mlm (or electra), a decoder with clm and the bag with skipgram or cbow, so either flag implies the other and together they must agree.</summary>
    /// <returns>The backbone name and its objective.</returns>
    /// <exception cref="ArgumentException">The two disagree; the message names the backbone that would fit.</exception>
    private static (string Backbone, string Objective) Resolve(string? backbone, string? objective)
    {
        // The library's default encoder, or the decoder of its size.
        string defaultDecoder = CausalDecoder.KindName + Size(Defaults.Backbone);
        backbone ??= objective switch { Causal => defaultDecoder, SkipGram or Cbow => ClassifierFactory.Bag, _ => Defaults.Backbone };
        string[] fitting = For(backbone);
        objective ??= fitting[0];
        if (!fitting.Contains(objective))
        {
            string fits = objective switch
            {
                SkipGram or Cbow => ClassifierFactory.Bag,
                _ when backbone == ClassifierFactory.Bag => objective == Causal ? defaultDecoder : Defaults.Backbone,
                Causal => CausalDecoder.KindName + Size(backbone),
                _ => BertBackbone.KindName + Size(backbone),
            };
            throw new ArgumentException($"--objective {objective} needs {Describe(fits)}, but --backbone {backbone} is {Describe(backbone)}. Pass --backbone {fits}{(fits.Contains('-') && backbone.Contains('-') ? " (the same size)" : "")} or leave --objective out.");
        }
        return (backbone, objective);
    }

    /// <summary>A GPT-2 decoder: a preset, or <c>gpt2</c> for a directory's decoder of another size.</summary>
    private static bool IsDecoder(string backbone) => KindOf(backbone) == CausalDecoder.KindName;

    /// <summary>A preset's size suffix (<c>-mini</c>), or <c>-mini</c> for a model of no preset size.</summary>
    private static string Size(string backbone) => backbone.Contains('-') ? backbone[backbone.IndexOf('-')..] : "-mini";

    private static string Describe(string backbone) =>
        backbone == ClassifierFactory.Bag ? "the bag of n-grams" : IsDecoder(backbone) ? "a GPT-2 decoder" : "a BERT encoder";
}
