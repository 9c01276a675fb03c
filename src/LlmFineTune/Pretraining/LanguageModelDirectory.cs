using LlmFineTune.Modeling.Backbones;
using LlmFineTune.Modeling.Serialization;
using LlmFineTune.Tokenization;

namespace LlmFineTune.Pretraining;

/// <summary>
/// Saves and loads pretraining checkpoints as Hugging Face model directories (<c>BertForMaskedLM</c>,
/// <c>GPT2LMHeadModel</c>, and ELECTRA's discriminator as a <c>BertModel</c>), through the same directory writer as classifiers: written as a unit,
/// checked on load. <see cref="Modeling.ClassifierFactory.FromPretrained"/> fine-tunes what they save.
/// </summary>
public static class LanguageModelDirectory
{
    /// <summary>Saves a pretraining checkpoint in HF <c>BertForMaskedLM</c> layout (encoder, MLM head, tokenizer).</summary>
    /// <param name="model">The masked-LM model.</param>
    /// <param name="tokenizer">Its tokenizer; its files are written next to the weights.</param>
    /// <param name="directory">Created if missing; an existing model directory is replaced as a unit.</param>
    public static void SaveMaskedLanguageModel(MaskedLanguageModel model, ITokenizer tokenizer, string directory)
    {
        ArgumentNullException.ThrowIfNull(model);
        Save(model, tokenizer, directory, extra: null);
    }

    /// <summary>
    /// Saves a pretraining checkpoint in HF <c>GPT2LMHeadModel</c> layout: <c>transformer.*</c> weights with
    /// GPT-2's Conv1D <c>[in, out]</c> matrices, GPT2Config keys, and the tokenizer's files.
    /// </summary>
    /// <param name="model">The causal-LM model.</param>
    /// <param name="tokenizer">Its tokenizer; its files are written next to the weights.</param>
    /// <param name="directory">Created if missing; an existing model directory is replaced as a unit.</param>
    /// <remarks><c>lm_head.weight</c> is the token embedding table (tied), so it is not stored; HF ties it again on load.</remarks>
    public static void SaveCausalLanguageModel(CausalLanguageModel model, ITokenizer tokenizer, string directory)
    {
        ArgumentNullException.ThrowIfNull(model);
        Save(model, tokenizer, directory, extra: null);
    }

    /// <summary>
    /// Saves an ELECTRA pretraining checkpoint: the discriminator as a plain BERT encoder (<c>bert.*</c>, config.json with BertConfig
    /// keys claiming <c>BertModel</c>), which <see cref="Modeling.Serialization.ModelDirectory.LoadEncoder"/>, fine-tuning and Hugging
    /// Face's <c>BertModel</c> load, plus the tensors only ELECTRA uses, which those loaders skip: the replaced-token head
    /// (<c>discriminator_predictions.*</c>, HF ELECTRA's names) and the generator (<c>generator.*</c>), so that pretraining can continue.
    /// </summary>
    /// <param name="model">The ELECTRA model.</param>
    /// <param name="tokenizer">Its tokenizer; its files are written next to the weights.</param>
    /// <param name="directory">Created if missing; an existing model directory is replaced as a unit.</param>
    public static void SaveReplacedTokenDetection(ReplacedTokenDetection model, ITokenizer tokenizer, string directory)
    {
        ArgumentNullException.ThrowIfNull(model);
        Save(model, tokenizer, directory, extra: null);
    }

    /// <summary>Saves any objective's model; <paramref name="extra"/> writes further files (a recipe, say) into the directory before it is swapped in.</summary>
    internal static void Save(IPretrainingObjective objective, ITokenizer tokenizer, string directory, Action<string>? extra)
    {
        switch (objective)
        {
            case CausalLanguageModel causal:
                ModelDirectory.SavePretrained(causal, tokenizer, directory, HfConfigJson.Write(causal.Decoder.Config, "GPT2LMHeadModel"), CausalDecoder.KindName, ModelDirectory.MaxPositions(causal.Decoder), extra);
                break;
            case MaskedLanguageModel masked:
                ModelDirectory.SavePretrained(masked, tokenizer, directory, HfConfigJson.Write(masked.Encoder.Config, "BertForMaskedLM"), BertBackbone.KindName, ModelDirectory.MaxPositions(masked.Encoder), extra);
                break;
            case ReplacedTokenDetection electra:
                ModelDirectory.SavePretrained(electra, tokenizer, directory, HfConfigJson.Write(electra.Encoder.Config, HfArchitecture.BertBase), BertBackbone.KindName, ModelDirectory.MaxPositions(electra.Encoder), extra);
                break;
            default:
                throw new NotSupportedException($"{objective.GetType().Name} has no saved form; masked and causal language models and replaced-token detection do.");
        }
    }

    /// <summary>Loads a masked-LM checkpoint to continue pretraining; a missing MLM head starts fresh.</summary>
    /// <param name="directory">A BERT checkpoint directory.</param>
    /// <param name="tokenizer">The checkpoint's tokenizer.</param>
    /// <param name="options">Masking settings; BERT's when null.</param>
    /// <returns>The model in eval mode; the caller owns it.</returns>
    /// <exception cref="InvalidDataException">A file is missing or malformed, or encoder weights are missing.</exception>
    public static MaskedLanguageModel LoadMaskedLanguageModel(string directory, ITokenizer tokenizer, MaskingOptions? options = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(directory);
        return LoadAroundEncoder(directory, encoder => new MaskedLanguageModel(encoder, tokenizer, options));
    }

    /// <summary>
    /// Loads an encoder checkpoint to continue ELECTRA pretraining (or to score which tokens look replaced): the encoder is required;
    /// the replaced-token head and the generator start fresh when the directory lacks them (a masked-LM or fine-tuned BERT).
    /// </summary>
    /// <param name="directory">A BERT checkpoint directory.</param>
    /// <param name="tokenizer">The checkpoint's tokenizer.</param>
    /// <param name="options">Generator size, loss weight and masking; the paper's when null. A saved generator must have the size they give.</param>
    /// <returns>The model in eval mode; the caller owns it.</returns>
    /// <exception cref="InvalidDataException">A file is missing or malformed, encoder weights are missing, or the saved generator has another size.</exception>
    public static ReplacedTokenDetection LoadReplacedTokenDetection(string directory, ITokenizer tokenizer, ReplacedTokenDetectionOptions? options = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(directory);
        return LoadAroundEncoder(directory, encoder => new ReplacedTokenDetection(encoder, tokenizer, options));
    }

    /// <summary>Builds an objective around the directory's encoder and loads its weights: the encoder's are required, the objective's own heads start fresh when missing.</summary>
    private static T LoadAroundEncoder<T>(string directory, Func<BertBackbone, T> build) where T : TorchSharp.torch.nn.Module
    {
        var layout = CheckpointLayout.Bert;
        return ModelManifest.Read(directory, reader => ModelDirectory.LoadWeightsInto(ModelDirectory.Around(ModelDirectory.NewEncoder(reader), build), reader, layout, "",
            required: name => name.StartsWith(layout.BackbonePrefix, StringComparison.Ordinal)));
    }

    /// <summary>Loads a causal-LM checkpoint (ours or HF's GPT-2) to continue pretraining or to score text.</summary>
    /// <param name="directory">A GPT-2 checkpoint directory.</param>
    /// <param name="tokenizer">The checkpoint's tokenizer.</param>
    /// <returns>The model in eval mode; the caller owns it.</returns>
    /// <exception cref="InvalidDataException">A file is missing or malformed, or decoder weights are missing.</exception>
    /// <exception cref="ArgumentException">The tokenizer has more ids than the decoder embeds.</exception>
    public static CausalLanguageModel LoadCausalLanguageModel(string directory, ITokenizer tokenizer)
    {
        ArgumentException.ThrowIfNullOrEmpty(directory);
        ArgumentNullException.ThrowIfNull(tokenizer);
        return ModelManifest.Read(directory, reader => ModelDirectory.LoadWeightsInto(ModelDirectory.Around(ModelDirectory.NewDecoder(reader), decoder => new CausalLanguageModel(decoder, tokenizer)), reader, CheckpointLayout.Gpt2, "", required: _ => true));
    }
}
