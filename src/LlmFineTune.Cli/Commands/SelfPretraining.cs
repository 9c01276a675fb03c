using System.CommandLine;
using LlmFineTune.Data;
using LlmFineTune.Modeling;
using LlmFineTune.Pretraining;
using static LlmFineTune.Cli.Commands.PretrainingObjectives;

namespace LlmFineTune.Cli.Commands;

/// <summary>
/// <c>finetune --pretrain-on-train</c>: pretrains on the training texts themselves before fine-tuning ("self-pretraining",
/// Krishna et al., ACL 2023), with the default recipe of <c>llmft pretrain</c> (masked or causal LM for transformers,
/// skip-gram word vectors for the bag), or the objective <c>--pretrain-objective</c> names (ELECTRA, CBOW).
/// </summary>
internal static class SelfPretraining
{
    /// <summary>The budget when the flag comes without one.</summary>
    public static readonly TimeSpan DefaultBudget = TimeSpan.FromMinutes(5);

    public static Option<string?> Option() => new("--pretrain-on-train")
    {
        Description = $"Before fine-tuning, pretrain on the training texts themselves for the given time (default {DefaultBudget.TotalMinutes:0}m): masked or causal LM for transformers (continuing --from if given), skip-gram word vectors for the bag ({new WordVectorOptions().Epochs} epochs; the time is ignored).",
        Arity = ArgumentArity.ZeroOrOne,
    };

    public static Option<string?> ObjectiveOption()
    {
        var option = new Option<string?>("--pretrain-objective")
        {
            Description = "The objective of --pretrain-on-train: mlm or electra (ELECTRA's replaced-token detection) for a BERT encoder, clm for a GPT-2 decoder, skipgram or cbow for the bag. Default: mlm, clm or skipgram by the backbone.",
        };
        option.AcceptOnlyFromAmong(All);
        return option;
    }

    /// <summary>Whether the flag was given (with or without a budget).</summary>
    public static bool Requested(ParseResult parse, Option<string?> option) => parse.GetResult(option) is not null;

    /// <summary>Pretrains into a new temporary directory and returns it; the caller deletes it.</summary>
    /// <exception cref="ArgumentException">The budget is malformed, or a bag directory was to be continued.</exception>
    public static string Run(CliContext cli, ParseResult parse, Option<string?> option, string? objective, ITextDataset train, string backbone, string? from, int? maxLength, int? vocabularySize, int seed)
    {
        var budget = parse.GetValue(option) is { } text ? Duration.Parse(text, "--pretrain-on-train") : DefaultBudget;
        if (backbone == ClassifierFactory.Bag && from is not null)
            throw new ArgumentException($"--pretrain-on-train learns new word vectors for the bag and cannot continue --from {from}; drop one of them.");
        objective = Objective(backbone, objective);
        var texts = train.Select(e => e.Text).ToList();
        string directory = Directory.CreateTempSubdirectory("llmft-self-pretraining-").FullName;
        try
        {
            if (backbone == ClassifierFactory.Bag)
            {
                cli.Output.WriteLine($"self-pretraining: {(objective == Cbow ? "CBOW" : "skip-gram")} word vectors on the {texts.Count} training texts");
                var vectorOptions = new WordVectorOptions { Objective = objective == Cbow ? WordVectorObjective.Cbow : WordVectorObjective.SkipGram, Seed = seed };
                var vectors = WordVectorPretraining.Run(texts, directory, vectorOptions, cli.CancellationToken);
                cli.Output.WriteLine(FormattableString.Invariant($"self-pretraining: {vectors.Words:N0} words, loss {vectors.FirstEpochLoss:F4} -> {vectors.LastEpochLoss:F4}"));
                return directory;
            }
            var options = new LanguageModelPretrainingOptions
            {
                Backbone = backbone, From = from, TimeBudget = budget, Seed = seed,
                ReplacedTokenDetection = objective == Electra ? new ReplacedTokenDetectionOptions() : null,
            };
            options.MaxLength = maxLength ?? options.MaxLength;
            options.VocabularySize = vocabularySize ?? options.VocabularySize;
            cli.Output.WriteLine($"self-pretraining {backbone}{(objective == Electra ? " (ELECTRA replaced-token detection)" : "")} on the {texts.Count} training texts for {budget:c}");
            var result = ProgressDisplay.Run(cli, "self-pretrain", progress => LanguageModelPretraining.Run(texts, directory, options, progress, cli.CancellationToken));
            cli.Output.WriteLine(FormattableString.Invariant($"self-pretraining: {result.Training.Steps} steps ({result.Calibration!.SecondsPerStep:F3} s/step), final loss {result.Training.FinalLoss:F4}"));
            return directory;
        }
        catch
        {
            Directory.Delete(directory, recursive: true);
            throw;
        }
    }

    /// <summary>The objective for the backbone: the flag's when it fits, else the backbone's own.</summary>
    /// <exception cref="ArgumentException">The flag names an objective the backbone cannot train with; the message lists the ones it can.</exception>
    private static string Objective(string backbone, string? objective)
    {
        string[] fitting = For(backbone);
        if (objective is null) return fitting[0];
        if (!fitting.Contains(objective))
            throw new ArgumentException($"--pretrain-objective {objective} does not fit --backbone {backbone}; it pretrains with {string.Join(" or ", fitting)}.");
        return objective;
    }
}
