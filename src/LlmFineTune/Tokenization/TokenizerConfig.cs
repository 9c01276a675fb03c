using System.Text.Json;
using System.Text.Json.Nodes;

namespace LlmFineTune.Tokenization;

/// <summary>Writes a tokenizer's <c>tokenizer_config.json</c> (Hugging Face's file name and keys where they exist).</summary>
internal static class TokenizerConfig
{
    private static readonly JsonSerializerOptions Indented = new() { WriteIndented = true };

    public static void Write(string directory, JsonObject settings) =>
        AtomicFile.WriteAllText(Path.Combine(directory, HashingTokenizer.ConfigFileName), settings.ToJsonString(Indented));
}
