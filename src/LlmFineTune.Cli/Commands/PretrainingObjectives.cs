using LlmFineTune.Modeling;
using LlmFineTune.Modeling.Backbones;

namespace LlmFineTune.Cli.Commands;

/// <summary>The pretraining objectives' names on the command line (<c>pretrain --objective</c>, <c>finetune --pretrain-objective</c>), and which fit which backbone.</summary>
internal static class PretrainingObjectives
{
    public const string Masked = "mlm";
    public const string Causal = "clm";
    public const string Electra = "electra";
    public const string SkipGram = "skipgram";
    public const string Cbow = "cbow";

    public static readonly string[] All = [Masked, Causal, Electra, SkipGram, Cbow];

    /// <summary>The objectives a backbone can pretrain with, its default first.</summary>
    /// <param name="backbone">A preset name, or a model directory's architecture (<c>bert</c>, <c>gpt2</c>, <c>bag</c>).</param>
    public static string[] For(string backbone) => KindOf(backbone) switch
    {
        ClassifierFactory.Bag => [SkipGram, Cbow],
        CausalDecoder.KindName => [Causal],
        _ => [Masked, Electra],
    };

    /// <summary>A preset's architecture, or the name itself for a directory's architecture.</summary>
    public static string KindOf(string backbone) => ModelPresets.Names.Contains(backbone) ? ModelPresets.Get(backbone).Kind : backbone;
}
