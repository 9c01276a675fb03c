namespace LlmFineTune.Modeling.Serialization;

/// <summary>How one architecture names its tensors in <c>model.safetensors</c>, so that one loader serves them all.</summary>
/// <param name="BackbonePrefix">The backbone's prefix in task models: HF's <c>bert.</c> and <c>transformer.</c>, our <c>backbone.</c>.</param>
/// <param name="BareProbe">A backbone tensor that marks a base-model checkpoint saved without the prefix (HF's <c>BertModel</c>, <c>GPT2Model</c>), or null.</param>
/// <param name="ClassifierName">The file name of a classification head's output layer: HF's <c>classifier</c> for BERT, <c>score</c> for GPT-2.</param>
/// <param name="HeadPrefixes">Tensors of task heads, which a bare checkpoint leaves unprefixed too.</param>
/// <param name="OptionalHeadBias">Whether a head's output layer may lack a bias in the file (HF's GPT-2 <c>score</c> has none), so that one saved without it loads without it.</param>
internal sealed record CheckpointLayout(string BackbonePrefix, string? BareProbe, string ClassifierName, IReadOnlyList<string> HeadPrefixes, bool OptionalHeadBias = false)
{
    /// <summary>Our heads' output layer (<see cref="Heads.TaskHead"/>'s checkpoint key).</summary>
    private const string HeadClassifier = "classifier.";

    public static CheckpointLayout Bert { get; } = new("bert.", "embeddings.word_embeddings.weight", "classifier", ["cls.", "classifier."]);

    public static CheckpointLayout Gpt2 { get; } = new("transformer.", "wte.weight", "score", ["lm_head.", "score."], OptionalHeadBias: true);

    /// <summary>Backbones without a Hugging Face counterpart (the bag, users' own).</summary>
    public static CheckpointLayout Own { get; } = new("backbone.", null, "classifier", []);

    /// <summary>The file name of a head parameter (named as in <see cref="Heads.TaskHead"/>).</summary>
    public string HeadFileName(string headName) =>
        headName.StartsWith(HeadClassifier, StringComparison.Ordinal) ? $"{ClassifierName}.{headName[HeadClassifier.Length..]}" : headName;

    /// <summary>Maps a file's tensor names to ours: prefixes a bare base-model checkpoint, and renames TF-era LayerNorm gamma/beta.</summary>
    public Func<string, string> Renamer(IEnumerable<string> fileNames)
    {
        var names = fileNames.ToList();
        bool bare = BareProbe is not null && names.Contains(BareProbe) && !names.Any(n => n.StartsWith(BackbonePrefix, StringComparison.Ordinal));
        return name =>
        {
            name = name.Replace("LayerNorm.gamma", "LayerNorm.weight", StringComparison.Ordinal).Replace("LayerNorm.beta", "LayerNorm.bias", StringComparison.Ordinal);
            return bare && !HeadPrefixes.Any(p => name.StartsWith(p, StringComparison.Ordinal)) ? BackbonePrefix + name : name;
        };
    }
}
