using System.Text.Json;
using System.Text.Json.Nodes;

namespace LlmFineTune.Tokenization;

/// <summary>Writes a tokenizer's <c>tokenizer_config.json</c> (Hugging Face's file name and keys where they exist).</summary>
internal static class TokenizerConfig
{
    /// <summary>Hugging Face's file of a tokenizer's special tokens, which <c>AutoTokenizer</c> reads besides the config.</summary>
    public const string SpecialTokensMapFileName = "special_tokens_map.json";

    private static readonly JsonSerializerOptions Indented = new() { WriteIndented = true };

    /// <summary>HF's names of the special-token keys, in the order its files list them.</summary>
    private static readonly string[] SpecialTokenKeys = ["bos_token", "eos_token", "unk_token", "sep_token", "pad_token", "cls_token", "mask_token"];

    public static void Write(string directory, JsonObject settings) =>
        AtomicFile.WriteAllText(Path.Combine(directory, HashingTokenizer.ConfigFileName), settings.ToJsonString(Indented));

    /// <summary>
    /// Completes a Hugging Face tokenizer's files in a model directory with what only the model knows:
    /// <c>model_max_length</c> (the longest input, so that <c>AutoTokenizer(..., truncation=True)</c>
    /// truncates as we do instead of overflowing the position table) and <c>special_tokens_map.json</c>.
    /// Does nothing for other tokenizers (no Hugging Face class reads them).
    /// </summary>
    /// <param name="directory">A directory the tokenizer was just saved to.</param>
    /// <param name="modelMaxLength">Most tokens per text, special tokens included.</param>
    public static void AddModelFields(string directory, int modelMaxLength)
    {
        string path = Path.Combine(directory, HashingTokenizer.ConfigFileName);
        if (!File.Exists(path))
            return; // a user's tokenizer with files of its own
        var json = JsonFiles.ReadObject(path);
        if (json["tokenizer_class"]?.GetValue<string>() is not (WordPieceTokenizer.HuggingFaceClass or Gpt2Tokenizer.HuggingFaceClass))
            return;
        json["model_max_length"] = modelMaxLength;
        Write(directory, json);
        var map = new JsonObject(SpecialTokenKeys.Where(key => json[key] is not null).Select(key => KeyValuePair.Create(key, (JsonNode?)json[key]!.DeepClone())));
        AtomicFile.WriteAllText(Path.Combine(directory, SpecialTokensMapFileName), map.ToJsonString(Indented));
    }

    /// <summary>
    /// The truncation length a Hugging Face tokenizer's <c>tokenizer_config.json</c> records (<c>model_max_length</c>), or null when
    /// there is none or it is transformers' "unlimited" placeholder (a number beyond <see cref="int"/>).
    /// </summary>
    /// <param name="directory">A model directory.</param>
    /// <returns>The length, or null.</returns>
    public static int? ModelMaxLength(string directory)
    {
        string path = Path.Combine(directory, HashingTokenizer.ConfigFileName);
        return File.Exists(path) && JsonFiles.ReadObject(path)["model_max_length"] is JsonValue value
            && value.TryGetValue<long>(out long length) && length is >= 1 and <= int.MaxValue ? (int)length : null;
    }
}
