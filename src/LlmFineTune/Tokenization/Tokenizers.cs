namespace LlmFineTune.Tokenization;

/// <summary>Restores whichever tokenizer a model directory holds, so model loading need not know the tokenizer's type.</summary>
public static class Tokenizers
{
    /// <summary>Loads the tokenizer saved in <paramref name="directory"/>, choosing the type by <c>tokenizer_config.json</c>'s <c>tokenizer_class</c>.</summary>
    /// <param name="directory">A model directory.</param>
    /// <returns>The tokenizer.</returns>
    /// <remarks>
    /// "llmfinetune-hashing" gives a <see cref="HashingTokenizer"/>; "BertTokenizer" (or
    /// "BertTokenizerFast", or no config file next to a <c>vocab.txt</c>, as in some Hugging Face
    /// checkpoints) gives a <see cref="WordPieceTokenizer"/>; "GPT2Tokenizer" or "GPT2TokenizerFast" a <see cref="Gpt2Tokenizer"/>.
    /// </remarks>
    /// <exception cref="DirectoryNotFoundException">The directory does not exist.</exception>
    /// <exception cref="FileNotFoundException">Neither <c>tokenizer_config.json</c> nor <c>vocab.txt</c> is there.</exception>
    /// <exception cref="InvalidDataException">The tokenizer class is unknown or a file is malformed.</exception>
    public static ITokenizer Load(string directory)
    {
        ArgumentNullException.ThrowIfNull(directory);
        if (!Directory.Exists(directory))
            throw new DirectoryNotFoundException($"{directory}: model directory not found.");
        string configPath = Path.Combine(directory, HashingTokenizer.ConfigFileName);
        if (!File.Exists(configPath))
        {
            return File.Exists(Path.Combine(directory, WordPieceTokenizer.VocabFileName))
                ? WordPieceTokenizer.Load(directory)
                : throw new FileNotFoundException($"{directory}: no {HashingTokenizer.ConfigFileName} or {WordPieceTokenizer.VocabFileName}. Save the tokenizer there with ITokenizer.Save.", configPath);
        }
        var json = JsonFiles.ReadObject(configPath);
        string kind = JsonFiles.GetString(json, "tokenizer_class", configPath);
        return kind switch
        {
            HashingTokenizer.KindName => HashingTokenizer.Load(directory),
            WordPieceTokenizer.HuggingFaceClass or "BertTokenizerFast" => WordPieceTokenizer.Load(directory),
            Gpt2Tokenizer.HuggingFaceClass or "GPT2TokenizerFast" => Gpt2Tokenizer.Load(directory),
            _ => throw new InvalidDataException(
                $"{configPath}: tokenizer_class '{kind}' is not supported. Supported: '{HashingTokenizer.KindName}', '{WordPieceTokenizer.HuggingFaceClass}', 'BertTokenizerFast', '{Gpt2Tokenizer.HuggingFaceClass}', 'GPT2TokenizerFast'."),
        };
    }
}
