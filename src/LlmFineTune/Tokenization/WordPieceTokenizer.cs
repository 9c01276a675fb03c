using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.ML.Tokenizers;
using LlmFineTune.Data;
using Microsoft.Extensions.Options;

namespace LlmFineTune.Tokenization;

/// <summary>
/// BERT's WordPiece tokenizer over a <c>vocab.txt</c> (one token per line, id = line number):
/// words are split as Hugging Face's <c>BertTokenizer</c> splits them (<see cref="BertPreTokenizer"/>), so a
/// vocabulary gives the ids transformers gives (a standard BERT vocabulary, BERT's ids). Build one from a vocabulary file, or train one with <c>WordPieceTrainer</c> (in LlmFineTune).
/// </summary>
/// <remarks>Saves as <c>vocab.txt</c> plus a Hugging Face style <c>tokenizer_config.json</c> (<c>"tokenizer_class": "BertTokenizer"</c>).</remarks>
public sealed class WordPieceTokenizer : ITokenizer
{
    /// <summary>The vocabulary file name in a model directory.</summary>
    public const string VocabFileName = "vocab.txt";

    internal const string HuggingFaceClass = "BertTokenizer";

    private readonly string[] vocabulary;
    private readonly bool[] continuation;
    private readonly Dictionary<string, int> ids;
    private readonly BertTokenizer bert;
    private readonly WordPieceTokenizerOptions options;

    private WordPieceTokenizer(string[] vocabulary, Dictionary<string, int> ids, WordPieceTokenizerOptions options)
    {
        this.vocabulary = vocabulary;
        this.ids = ids;
        this.options = options;
        continuation = vocabulary.Select(t => t.StartsWith("##", StringComparison.Ordinal) && t.Length > 2).ToArray();
        bert = CreateBert(vocabulary, options);
        Special = new SpecialTokens(
            Pad: ids[options.PadToken],
            Unknown: ids[options.UnknownToken],
            Classification: ids[options.ClassificationToken],
            Separator: ids[options.SeparatorToken],
            Mask: ids[options.MaskToken]);
    }

    /// <inheritdoc />
    public int VocabularySize => vocabulary.Length;

    /// <inheritdoc />
    public int PadId => Special.Pad;

    /// <inheritdoc />
    public SpecialTokens Special { get; }

    /// <summary>The tokens in id order.</summary>
    public IReadOnlyList<string> Vocabulary => vocabulary;

    /// <summary>The normalization and special-token settings (a copy).</summary>
    public WordPieceTokenizerOptions Options => options.Clone();

    /// <summary>Reads a standard WordPiece <c>vocab.txt</c>.</summary>
    /// <param name="vocabPath">The vocabulary file (UTF-8, one token per line).</param>
    /// <param name="options">Normalization and special tokens; bert-base-uncased's when null.</param>
    /// <returns>The tokenizer.</returns>
    /// <exception cref="FileNotFoundException">The file does not exist.</exception>
    /// <exception cref="InvalidDataException">The file is empty, repeats a token, or lacks a special token; the message names file:line.</exception>
    /// <exception cref="OptionsValidationException">An option is invalid; the message names it.</exception>
    public static WordPieceTokenizer FromVocabulary(string vocabPath, WordPieceTokenizerOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(vocabPath);
        if (!File.Exists(vocabPath))
            throw new FileNotFoundException($"{vocabPath}: vocabulary file not found.", vocabPath);
        var tokens = new List<string>();
        using (var lines = new Utf8LineReader(vocabPath, maxLineBytes: 1 << 20))
        {
            while (lines.TryReadLine(out string line))
            {
                if (lines.LastLineInvalid)
                    throw DataFileError.Create(vocabPath, lines.LineNumber, SkipReason.InvalidEncoding, "the vocabulary is not valid UTF-8.");
                tokens.Add(line);
            }
        }
        return Create(tokens, options, vocabPath);
    }

    /// <summary>Builds a tokenizer from tokens in id order (e.g. a trained vocabulary).</summary>
    /// <param name="tokens">The tokens; token i gets id i.</param>
    /// <param name="options">Normalization and special tokens; bert-base-uncased's when null.</param>
    /// <returns>The tokenizer.</returns>
    /// <exception cref="InvalidDataException">A token repeats, or a special token is missing.</exception>
    /// <exception cref="OptionsValidationException">An option is invalid; the message names it.</exception>
    public static WordPieceTokenizer FromTokens(IEnumerable<string> tokens, WordPieceTokenizerOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(tokens);
        return Create(tokens.ToList(), options, "vocabulary");
    }

    /// <summary>Reads a tokenizer from a model directory: <c>vocab.txt</c> and, when present, the settings in <c>tokenizer_config.json</c>.</summary>
    /// <param name="directory">The directory.</param>
    /// <returns>The tokenizer.</returns>
    /// <exception cref="FileNotFoundException"><c>vocab.txt</c> is missing.</exception>
    /// <exception cref="InvalidDataException">A file is malformed.</exception>
    public static WordPieceTokenizer Load(string directory)
    {
        ArgumentNullException.ThrowIfNull(directory);
        var options = new WordPieceTokenizerOptions();
        string configPath = Path.Combine(directory, HashingTokenizer.ConfigFileName);
        if (File.Exists(configPath))
        {
            var json = JsonFiles.ReadObject(configPath);
            try
            {
                options.Lowercase = json["do_lower_case"]?.GetValue<bool>() ?? true;
                options.StripAccents = json["strip_accents"]?.GetValue<bool>();
                options.TokenizeChineseChars = json["tokenize_chinese_chars"]?.GetValue<bool>() ?? true;
                options.PadToken = json["pad_token"]?.GetValue<string>() ?? options.PadToken;
                options.UnknownToken = json["unk_token"]?.GetValue<string>() ?? options.UnknownToken;
                options.ClassificationToken = json["cls_token"]?.GetValue<string>() ?? options.ClassificationToken;
                options.SeparatorToken = json["sep_token"]?.GetValue<string>() ?? options.SeparatorToken;
                options.MaskToken = json["mask_token"]?.GetValue<string>() ?? options.MaskToken;
                options.MaxInputCharsPerWord = json["max_input_chars_per_word"]?.GetValue<int>() ?? options.MaxInputCharsPerWord;
            }
            catch (Exception e) when (e is FormatException or InvalidOperationException)
            {
                throw new InvalidDataException($"{configPath}: a setting has the wrong type ({e.Message}). Booleans must be true/false, tokens strings.", e);
            }
        }
        try
        {
            return FromVocabulary(Path.Combine(directory, VocabFileName), options);
        }
        catch (Exception e) when (e is ArgumentException or OptionsValidationException)
        {
            throw new InvalidDataException($"{configPath}: {e.Message}", e);
        }
    }

    /// <inheritdoc />
    public bool IsContinuation(int id) => (uint)id < (uint)continuation.Length && continuation[id];

    /// <inheritdoc />
    /// <remarks>
    /// Adds <c>[CLS]</c> and <c>[SEP]</c>. Words are split as Hugging Face's <c>BertTokenizer</c> splits them and matched
    /// longest piece first; truncation keeps the first <c>maxLength - 2</c> pieces, cutting inside a word if need be, as
    /// <c>BertTokenizer(..., truncation=True, max_length=maxLength)</c> does, so a saved model sees the ids <c>AutoTokenizer</c> gives.
    /// </remarks>
    public int[] Encode(string text, int maxLength = 0)
    {
        ArgumentNullException.ThrowIfNull(text);
        ArgumentOutOfRangeException.ThrowIfNegative(maxLength);
        if (maxLength == 1) return [Special.Classification!.Value];
        var pieces = Pieces(text);
        // Pieces are produced lazily, so only the prefix of a long text that can reach the model is tokenized.
        return [Special.Classification!.Value, .. maxLength == 0 ? pieces : pieces.Take(maxLength - 2), Special.Separator!.Value];
    }

    /// <summary>The WordPiece ids of a text's words: longest vocabulary piece first, <c>##</c> inside a word, <c>[UNK]</c> for a word that does not decompose.</summary>
    private IEnumerable<int> Pieces(string text)
    {
        var found = new List<int>();
        foreach (string word in BertPreTokenizer.Words(text, options))
        {
            found.Clear();
            if (word.EnumerateRunes().Count() <= options.MaxInputCharsPerWord)
            {
                for (int start = 0, end; start < word.Length; start = end)
                {
                    int id = -1;
                    for (end = word.Length; end > start && !ids.TryGetValue(start > 0 ? "##" + word[start..end] : word[start..end], out id); end--)
                    {
                    }
                    if (end == start)
                    {
                        found.Clear();
                        break;
                    }
                    found.Add(id);
                }
            }
            if (found.Count == 0)
                yield return Special.Unknown!.Value;
            else
                foreach (int id in found) yield return id;
        }
    }

    /// <summary>Turns ids back into text, joining <c>##</c> pieces to their words and leaving out special tokens.</summary>
    /// <param name="ids">Token ids.</param>
    /// <returns>The text (normalized: lower-cased for uncased vocabularies).</returns>
    public string Decode(IEnumerable<int> ids)
    {
        ArgumentNullException.ThrowIfNull(ids);
        return bert.Decode(ids, skipSpecialTokens: true);
    }

    /// <summary>The token of an id.</summary>
    /// <param name="id">An id in [0, <see cref="VocabularySize"/>).</param>
    /// <returns>The token, e.g. "hello" or "##ing".</returns>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="id"/> is outside the vocabulary.</exception>
    public string TokenOf(int id) =>
        (uint)id < (uint)vocabulary.Length ? vocabulary[id] : throw new ArgumentOutOfRangeException(nameof(id), id, $"Ids are in [0, {vocabulary.Length - 1}].");

    /// <summary>The id of a token, if it is in the vocabulary.</summary>
    /// <param name="token">The token, e.g. "hello" or "##ing".</param>
    /// <returns>Its id, or null.</returns>
    public int? IdOf(string token) => ids.TryGetValue(token, out int id) ? id : null;

    /// <inheritdoc />
    /// <remarks>Writes <c>vocab.txt</c> and <c>tokenizer_config.json</c> with Hugging Face's keys.</remarks>
    public void Save(string directory)
    {
        ArgumentNullException.ThrowIfNull(directory);
        AtomicFile.Write(Path.Combine(directory, VocabFileName), stream =>
        {
            using var writer = new StreamWriter(stream, new UTF8Encoding(false), 1 << 16, leaveOpen: true) { NewLine = "\n" };
            foreach (string token in vocabulary) writer.WriteLine(token);
        });
        var json = new JsonObject
        {
            ["tokenizer_class"] = HuggingFaceClass,
            ["do_lower_case"] = options.Lowercase,
            ["strip_accents"] = options.StripAccents,
            ["tokenize_chinese_chars"] = options.TokenizeChineseChars,
            ["max_input_chars_per_word"] = options.MaxInputCharsPerWord,
            ["pad_token"] = options.PadToken,
            ["unk_token"] = options.UnknownToken,
            ["cls_token"] = options.ClassificationToken,
            ["sep_token"] = options.SeparatorToken,
            ["mask_token"] = options.MaskToken,
        };
        TokenizerConfig.Write(directory, json);
    }

    private static WordPieceTokenizer Create(List<string> tokens, WordPieceTokenizerOptions? options, string source)
    {
        options = (options ?? new WordPieceTokenizerOptions()).Clone();
        options.Validate();
        if (tokens.Count == 0)
            throw new InvalidDataException($"{source}: the vocabulary is empty; expected one token per line.");
        var ids = new Dictionary<string, int>(tokens.Count, StringComparer.Ordinal);
        for (int i = 0; i < tokens.Count; i++)
        {
            if (tokens[i].Length == 0 || tokens[i].Any(char.IsWhiteSpace))
                throw new InvalidDataException($"{source}:{i + 1}: token '{tokens[i]}' is empty or contains white space; a vocabulary has one token per line.");
            if (!ids.TryAdd(tokens[i], i))
                throw new InvalidDataException($"{source}:{i + 1}: token '{tokens[i]}' repeats line {ids[tokens[i]] + 1}; every token must be unique.");
        }
        foreach (string special in options.SpecialTokens)
            if (!ids.ContainsKey(special))
                throw new InvalidDataException($"{source}: the special token '{special}' is not in the vocabulary. Add it, or set the matching WordPieceTokenizerOptions token to the vocabulary's spelling.");
        return new WordPieceTokenizer(tokens.ToArray(), ids, options);
    }

    /// <summary>Microsoft.ML.Tokenizers' BERT tokenizer over the vocabulary, used to decode (encoding is <see cref="Pieces"/>).</summary>
    private static BertTokenizer CreateBert(IReadOnlyList<string> vocabulary, WordPieceTokenizerOptions options)
    {
        var text = new StringBuilder();
        foreach (string token in vocabulary) text.Append(token).Append('\n');
        using var stream = new MemoryStream(Encoding.UTF8.GetBytes(text.ToString()));
        return BertTokenizer.Create(stream, BertSettings(options));
    }

    private static BertOptions BertSettings(WordPieceTokenizerOptions options) =>
        new()
        {
            LowerCaseBeforeTokenization = options.Lowercase,
            RemoveNonSpacingMarks = options.StripsAccents,
            IndividuallyTokenizeCjk = options.TokenizeChineseChars,
            MaxInputCharsPerWord = options.MaxInputCharsPerWord,
            UnknownToken = options.UnknownToken,
            PaddingToken = options.PadToken,
            ClassificationToken = options.ClassificationToken,
            SeparatorToken = options.SeparatorToken,
            MaskingToken = options.MaskToken,
        };
}
