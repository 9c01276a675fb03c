using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.ML.Tokenizers;

namespace LlmFineTune.Tokenization;

/// <summary>
/// GPT-2's byte-level BPE (50,257 tokens) through Microsoft.ML.Tokenizers, from the standard
/// <c>vocab.json</c> (OpenAI's <c>encoder.json</c>) and <c>merges.txt</c> (<c>vocab.bpe</c>) files;
/// gives GPT-2's ids. No special tokens are added; <c>&lt;|endoftext|&gt;</c> in the text is its own token.
/// </summary>
/// <remarks>
/// GPT-2 has no padding token, so <see cref="PadId"/> is <c>&lt;|endoftext|&gt;</c>'s id (mask padding with the
/// attention mask). Saves in Hugging Face's layout: <c>vocab.json</c>, <c>merges.txt</c> and
/// <c>tokenizer_config.json</c> with <c>"tokenizer_class": "GPT2Tokenizer"</c>.
/// </remarks>
public sealed class Gpt2Tokenizer : ITokenizer
{
    /// <summary>The vocabulary file name in a model directory.</summary>
    public const string VocabFileName = "vocab.json";

    /// <summary>The merges file name in a model directory.</summary>
    public const string MergesFileName = "merges.txt";

    internal const string HuggingFaceClass = "GPT2Tokenizer";

    private const string EndOfTextToken = "<|endoftext|>";
    private const char SpaceMarker = '\u0120'; // byte-level BPE's visible form of a leading space ("Ġ")

    private readonly byte[] vocabBytes;
    private readonly byte[] mergesBytes;
    private readonly bool[] continuation;
    private readonly CodeGenTokenizer bpe;

    private Gpt2Tokenizer(byte[] vocabBytes, byte[] mergesBytes, string vocabPath)
    {
        this.vocabBytes = vocabBytes;
        this.mergesBytes = mergesBytes;
        string[] tokens = ReadTokens(vocabBytes, vocabPath);
        if (Array.IndexOf(tokens, EndOfTextToken) is var end && end < 0)
            throw new InvalidDataException($"{vocabPath}: the vocabulary has no {EndOfTextToken}. Is this a GPT-2 vocab.json?");
        // a piece that starts with a letter or digit and no space marker continues the previous word
        continuation = tokens.Select(t => t.Length > 0 && t[0] != SpaceMarker && char.IsLetterOrDigit(t[0])).ToArray();
        try
        {
            using var vocab = new MemoryStream(vocabBytes);
            using var merges = new MemoryStream(mergesBytes);
            bpe = CodeGenTokenizer.Create(vocab, merges);
        }
        catch (Exception e) when (e is ArgumentException or FormatException or InvalidOperationException or JsonException)
        {
            throw new InvalidDataException($"{vocabPath}: the GPT-2 vocabulary or merges file is malformed ({e.Message}).", e);
        }
        VocabularySize = tokens.Length;
        Special = new SpecialTokens(Pad: end, EndOfText: end);
    }

    /// <inheritdoc />
    public int VocabularySize { get; }

    /// <inheritdoc />
    public int PadId => Special.Pad;

    /// <inheritdoc />
    public SpecialTokens Special { get; }

    /// <summary>Reads GPT-2's files.</summary>
    /// <param name="vocabPath"><c>vocab.json</c> or <c>encoder.json</c>: token → id.</param>
    /// <param name="mergesPath"><c>merges.txt</c> or <c>vocab.bpe</c>: one merge per line.</param>
    /// <returns>The tokenizer.</returns>
    /// <exception cref="FileNotFoundException">A file does not exist.</exception>
    /// <exception cref="InvalidDataException">A file is malformed.</exception>
    public static Gpt2Tokenizer FromFiles(string vocabPath, string mergesPath)
    {
        ArgumentNullException.ThrowIfNull(vocabPath);
        ArgumentNullException.ThrowIfNull(mergesPath);
        foreach (string path in new[] { vocabPath, mergesPath })
            if (!File.Exists(path))
                throw new FileNotFoundException($"{path}: GPT-2 tokenizer file not found.", path);
        return new Gpt2Tokenizer(File.ReadAllBytes(vocabPath), File.ReadAllBytes(mergesPath), vocabPath);
    }

    /// <summary>Reads a tokenizer saved by <see cref="Save"/> (or a Hugging Face GPT-2 directory).</summary>
    /// <param name="directory">The directory with <c>vocab.json</c> and <c>merges.txt</c>.</param>
    /// <returns>The tokenizer.</returns>
    /// <exception cref="FileNotFoundException">A file is missing.</exception>
    /// <exception cref="InvalidDataException">A file is malformed.</exception>
    public static Gpt2Tokenizer Load(string directory) =>
        FromFiles(Path.Combine(directory, VocabFileName), Path.Combine(directory, MergesFileName));

    /// <inheritdoc />
    public bool IsContinuation(int id) => (uint)id < (uint)continuation.Length && continuation[id];

    /// <inheritdoc />
    /// <remarks>Adds no special tokens; an empty text gives <c>&lt;|endoftext|&gt;</c> alone so the result is never empty.</remarks>
    public int[] Encode(string text, int maxLength = 0)
    {
        ArgumentNullException.ThrowIfNull(text);
        ArgumentOutOfRangeException.ThrowIfNegative(maxLength);
        var ids = maxLength == 0
            ? bpe.EncodeToIds(text, addPrefixSpace: false, addBeginningOfSentence: false, addEndOfSentence: false)
            : bpe.EncodeToIds(text, maxLength, addPrefixSpace: false, addBeginningOfSentence: false, addEndOfSentence: false, out _, out _);
        return ids.Count == 0 ? [Special.EndOfText!.Value] : ids.ToArray();
    }

    /// <summary>Turns ids back into text.</summary>
    /// <param name="ids">Token ids.</param>
    /// <returns>The text; byte-level BPE round-trips any input exactly (special tokens left out).</returns>
    public string Decode(IEnumerable<int> ids)
    {
        ArgumentNullException.ThrowIfNull(ids);
        return bpe.Decode(ids);
    }

    /// <inheritdoc />
    public void Save(string directory)
    {
        ArgumentNullException.ThrowIfNull(directory);
        AtomicFile.Write(Path.Combine(directory, VocabFileName), s => s.Write(vocabBytes));
        AtomicFile.Write(Path.Combine(directory, MergesFileName), s => s.Write(mergesBytes));
        var json = new JsonObject
        {
            ["tokenizer_class"] = HuggingFaceClass,
            ["add_prefix_space"] = false,
            ["bos_token"] = EndOfTextToken,
            ["eos_token"] = EndOfTextToken,
            ["unk_token"] = EndOfTextToken,
        };
        TokenizerConfig.Write(directory, json);
    }

    private static string[] ReadTokens(byte[] vocabBytes, string path)
    {
        try
        {
            using var document = JsonDocument.Parse(vocabBytes);
            var pairs = document.RootElement.EnumerateObject().Select(p => (p.Name, Id: p.Value.GetInt32())).ToArray();
            var tokens = new string[pairs.Length];
            foreach (var (name, id) in pairs)
            {
                if ((uint)id >= (uint)tokens.Length || tokens[id] is not null)
                    throw new InvalidDataException($"{path}: token '{name}' has id {id}, which is repeated or outside [0, {tokens.Length - 1}]; ids must be 0..n-1.");
                tokens[id] = name;
            }
            return tokens;
        }
        catch (Exception e) when (e is JsonException or InvalidOperationException or FormatException)
        {
            throw new InvalidDataException($"{path}: expected a JSON object of token → id ({e.Message}).", e);
        }
    }
}
