using System.CommandLine;
using LlmFineTune.Data;
using LlmFineTune.Modeling.Backbones;
using LlmFineTune.Pretraining;
using LlmFineTune.Training.Schedules;

namespace LlmFineTune.Cli.Commands;

/// <summary><c>llmft pretrain</c>: a BERT encoder (masked LM) or GPT-2 decoder (causal LM) and its WordPiece vocabulary from unlabeled text.</summary>
internal static class PretrainCommand
{
    private const string Masked = "mlm";
    private const string Causal = "clm";

    public static Command Create(CliContext cli)
    {
        var corpus = new Option<string[]>("--corpus") { Description = "Plain-text corpus file(s).", Required = true, AllowMultipleArgumentsPerToken = true, Arity = ArgumentArity.OneOrMore };
        var output = CommonOptions.RequiredPath("--output", "Directory for the pretrained model (config.json, model.safetensors, vocab.txt).");
        var backbone = new Option<string?>("--backbone")
        {
            Description = "Model: a BERT encoder (bert-tiny, bert-mini, bert-small, bert-base) for mlm, or a GPT-2 decoder of the same sizes (gpt2-tiny ... gpt2-base) for clm. Default bert-mini, or gpt2-mini with --objective clm.",
        };
        backbone.AcceptOnlyFromAmong([.. TransformerEncoderConfig.PresetNames, .. CausalDecoderConfig.PresetNames]);
        var objective = new Option<string?>("--objective") { Description = "Pretraining objective: masked (mlm, BERT encoders) or causal (clm, GPT-2 decoders) language modelling. Default: the backbone's, else mlm." };
        objective.AcceptOnlyFromAmong(Masked, Causal);
        var steps = new Option<int?>("--steps") { Description = "Optimizer steps; by default one pass over the corpus (see --epochs)." };
        var epochs = new Option<int>("--epochs") { Description = "Passes over the corpus when --steps is not given.", DefaultValueFactory = _ => 1 };
        var vocabSize = new Option<int>("--vocab-size") { Description = "WordPiece vocabulary size learned from the corpus.", DefaultValueFactory = _ => 8000 };
        var maxLength = CommonOptions.MaxLength("pretraining sequence (default 128)");
        var batchSize = new Option<int>("--batch-size") { Description = "Sequences per step.", DefaultValueFactory = _ => 32 };
        var learningRate = new Option<double>("--lr") { Description = "Peak learning rate.", DefaultValueFactory = _ => 5e-4 };
        var warmupSteps = new Option<int?>("--warmup-steps") { Description = "Warm the learning rate up over this many steps, then decay it linearly to 0 (BERT's schedule); by default it stays constant." };
        var clip = new Option<double?>("--clip") { Description = "Clip the global gradient norm to this value; by default no clipping." };
        var maskProbability = new Option<double?>("--mask-probability") { Description = "Share of tokens masked LM predicts (mlm only; default 0.15). Short runs learn faster with 0.3." };
        var separator = new Option<string>("--separator") { Description = "Where documents end in the corpus: a blank line, or every line.", DefaultValueFactory = _ => "blank" };
        separator.AcceptOnlyFromAmong("blank", "line");
        var packing = new Option<bool>("--packing") { Description = "Pack documents back to back into full sequences (for long documents); by default each sequence holds one document." };
        var heldOut = new Option<int>("--held-out") { Description = "Documents kept back to report loss and perplexity before and after.", DefaultValueFactory = _ => 0 };
        var resume = new Option<bool>("--resume") { Description = "Continue an interrupted run from its checkpoint (OUTPUT.checkpoints); give the same flags as the first run. The result equals an uninterrupted run." };
        var threads = CommonOptions.Threads();
        var seed = CommonOptions.Seed();

        var command = new Command("pretrain", "Pretrain a BERT encoder (masked LM) or a GPT-2 decoder (causal LM) on unlabeled text (a WordPiece vocabulary is learned from the corpus). Ctrl-C or SIGTERM saves a checkpoint; --resume continues from it.")
        {
            corpus, output, backbone, objective, steps, epochs, vocabSize, maxLength, batchSize, learningRate, warmupSteps, clip, maskProbability, separator, packing, heldOut, resume, threads, seed,
        };
        command.SetAction(parse => cli.Guard(() =>
        {
            var (model, decoder) = Resolve(parse.GetValue(backbone), parse.GetValue(objective));
            if (decoder && parse.GetValue(maskProbability) is not null)
                throw new ArgumentException($"--mask-probability applies to masked LM, and {model} trains with causal LM. Drop it, or pretrain a bert-* backbone.");
            if (parse.GetValue(warmupSteps) is < 0 and var w)
                throw new ArgumentException($"--warmup-steps must be 0 or more (was {w}).");
            if (parse.GetValue(clip) is { } c && !(c > 0 && double.IsFinite(c)))
                throw new ArgumentException(FormattableString.Invariant($"--clip must be a positive number (was {c})."));
            if (parse.GetValue(maskProbability) is { } m && !(m > 0 && m <= 1))
                throw new ArgumentException(FormattableString.Invariant($"--mask-probability must be in (0, 1] (was {m})."));
            CommonOptions.RequireRoomForText(parse.GetValue(maxLength), model);
            CommonOptions.ApplyThreads(parse.GetValue(threads));
            string directory = parse.GetValue(output)!;
            PathChecks.OutputDirectory("--output", directory);
            foreach (string corpusFile in parse.GetValue(corpus)!)
                PathChecks.InputFile("--corpus", corpusFile);
            var checkpoints = new TrainingCheckpoints(directory, everySteps: 0, cli.CancellationToken);
            string? resumeFrom = parse.GetValue(resume) ? checkpoints.RequireLatest() : null;
            var options = new EncoderPretrainingOptions
            {
                Backbone = model,
                VocabularySize = parse.GetValue(vocabSize),
                MaxLength = parse.GetValue(maxLength) ?? 128,
                BatchSize = parse.GetValue(batchSize),
                Epochs = parse.GetValue(epochs),
                Steps = parse.GetValue(steps),
                LearningRate = parse.GetValue(learningRate),
                Schedule = parse.GetValue(warmupSteps) is int warmup ? new LinearSchedule(warmup) : null,
                MaxGradientNorm = parse.GetValue(clip),
                Masking = parse.GetValue(maskProbability) is double probability ? new MaskingOptions { Probability = probability } : new MaskingOptions(),
                Packing = parse.GetValue(packing),
                HeldOutDocuments = parse.GetValue(heldOut),
                Seed = parse.GetValue(seed),
                Checkpoints = checkpoints,
                ResumeFrom = resumeFrom,
            };
            var corpusOptions = new TextCorpusOptions { Separator = parse.GetValue(separator) == "line" ? DocumentSeparator.Line : DocumentSeparator.BlankLine };
            var documents = TextCorpus.FromFiles(parse.GetValue(corpus)!, corpusOptions).Read().Select(d => d.Text).ToList();
            cli.Output.WriteLine($"pretraining {options.Backbone} ({(decoder ? "causal" : "masked")} LM) on {documents.Count} documents" + (resumeFrom is null ? "" : $", resuming from {resumeFrom}"));
            if (!checkpoints.TryTrain(cli, "pretrain", () => ProgressDisplay.Run(cli, "pretrain", progress => EncoderPretraining.Run(documents, directory, options, progress, cli.CancellationToken)), out var result))
                return ExitCodes.Cancelled;
            checkpoints.Delete();
            cli.Output.WriteLine(FormattableString.Invariant($"vocabulary {result.VocabularySize} pieces, {result.Training.Steps} steps, final loss {result.Training.FinalLoss:F4}"));
            if (result.Before is { } before && result.After is { } after)
                cli.Output.WriteLine(FormattableString.Invariant($"held-out perplexity {before.Perplexity:F1} -> {after.Perplexity:F1}"));
            cli.Output.WriteLine($"saved to {directory}");
            return ExitCodes.Success;
        }));
        return command;
    }

    /// <summary>The backbone from the flags: an encoder trains with mlm and a decoder with clm, so either flag implies the other and together they must agree.</summary>
    /// <returns>The backbone name and whether it is a (causal) decoder.</returns>
    /// <exception cref="ArgumentException">The two disagree; the message names the backbone of the same size that would fit.</exception>
    private static (string Backbone, bool Decoder) Resolve(string? backbone, string? objective)
    {
        backbone ??= objective == Causal ? "gpt2-mini" : "bert-mini";
        bool decoder = CausalDecoderConfig.PresetNames.Contains(backbone);
        if (objective is not null && (objective == Causal) != decoder)
        {
            string fitting = (decoder ? TransformerEncoder.KindName : CausalDecoder.KindName) + backbone[backbone.IndexOf('-')..];
            throw new ArgumentException($"--objective {objective} needs a {(decoder ? "BERT encoder" : "GPT-2 decoder")}, but --backbone {backbone} is a {(decoder ? "GPT-2 decoder" : "BERT encoder")}. Pass --backbone {fitting} (the same size) or leave --objective out.");
        }
        return (backbone, decoder);
    }
}
