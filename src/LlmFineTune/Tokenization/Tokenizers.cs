namespace LlmFineTune.Tokenization;

/// <summary>Restores whichever tokenizer a model directory holds, so model loading need not know the tokenizer's type.</summary>
public static class Tokenizers
{
    /// <summary>Loads the tokenizer saved in <paramref name="directory"/>, choosing the type by <c>tokenizer_config.json</c>'s <c>tokenizer_class</c>.</summary>
    /// <param name="directory">A model directory.</param>
    /// <returns>The tokenizer.</returns>
    /// <remarks>
    /// "llmfinetune-hashing" gives a <see cref="HashingTokenizer"/>; "BertTokenizer" (or
    /// "BertTokenizerFast", or no class next to a <c>vocab.txt</c>, as in some Hugging Face
    /// checkpoints) gives a <see cref="WordPieceTokenizer"/>; "GPT2Tokenizer" or "GPT2TokenizerFast" (or no
    /// class next to <c>vocab.json</c> and <c>merges.txt</c>) a <see cref="Gpt2Tokenizer"/>.
    /// </remarks>
    /// <exception cref="DirectoryNotFoundException">The directory does not exist.</exception>
    /// <exception cref="FileNotFoundException">There is neither <c>tokenizer_config.json</c> nor a vocabulary file.</exception>
    /// <exception cref="InvalidDataException">The tokenizer class is unknown or missing (with no vocabulary file to go by), or a file is malformed.</exception>
    public static ITokenizer Load(string directory)
    {
        ArgumentNullException.ThrowIfNull(directory);
        if (!Directory.Exists(directory))
            throw new DirectoryNotFoundException($"{directory}: model directory not found.");
        string configPath = Path.Combine(directory, HashingTokenizer.ConfigFileName);
        var json = File.Exists(configPath) ? JsonFiles.ReadObject(configPath) : null;
        if (json?["tokenizer_class"] is null)
        {
            // Hugging Face checkpoints often name no class (the Hub's gpt2 has only model_max_length): go by the files.
            if (File.Exists(Path.Combine(directory, WordPieceTokenizer.VocabFileName)))
                return WordPieceTokenizer.Load(directory);
            if (File.Exists(Path.Combine(directory, Gpt2Tokenizer.VocabFileName)) && File.Exists(Path.Combine(directory, Gpt2Tokenizer.MergesFileName)))
                return Gpt2Tokenizer.Load(directory);
            string files = $"{WordPieceTokenizer.VocabFileName} or {Gpt2Tokenizer.VocabFileName} + {Gpt2Tokenizer.MergesFileName}";
            throw json is null
                ? new FileNotFoundException($"{directory}: no {HashingTokenizer.ConfigFileName}, {files}. Save the tokenizer there with ITokenizer.Save.", configPath)
                : new InvalidDataException($"{configPath}: field 'tokenizer_class' is missing, and there is no {files} to go by.");
        }
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
