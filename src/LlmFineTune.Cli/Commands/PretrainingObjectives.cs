namespace LlmFineTune.Cli.Commands;

/// <summary>The pretraining objectives' names on the command line (<c>pretrain --objective</c>, <c>finetune --pretrain-objective</c>).</summary>
internal static class PretrainingObjectives
{
    public const string Masked = "mlm";
    public const string Causal = "clm";
    public const string Electra = "electra";
    public const string SkipGram = "skipgram";
    public const string Cbow = "cbow";

    public static readonly string[] All = [Masked, Causal, Electra, SkipGram, Cbow];
}
