using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.Extensions.Options;

namespace LlmFineTune.Tokenization;

/// <summary>
/// fastText-style tokenizer: words, word n-grams and optional character n-grams hashed into a
/// fixed number of buckets. Nothing to train; pairs with the bag-of-n-grams backbone.
/// </summary>
public sealed class HashingTokenizer : ITokenizer
{
    /// <summary>The file this tokenizer saves its settings to.</summary>
    public const string ConfigFileName = "tokenizer_config.json";

    internal const string KindName = "llmfinetune-hashing";

    /// <summary>Scratch lists that grew past this many entries are dropped after use rather than kept.</summary>
    private const int KeptScratch = 1 << 16;

    [ThreadStatic]
    private static List<int>? scratchIds;

    [ThreadStatic]
    private static List<ulong>? scratchWords;

    private readonly HashingTokenizerOptions options;

    /// <summary>Creates a tokenizer.</summary>
    /// <param name="options">Settings; validated here. Default settings when null.</param>
    /// <exception cref="Microsoft.Extensions.Options.OptionsValidationException">A setting is out of range; the message names it.</exception>
    public HashingTokenizer(HashingTokenizerOptions? options = null)
    {
        this.options = options ?? new HashingTokenizerOptions();
        this.options.Validate();
    }

    /// <inheritdoc />
    public int VocabularySize => options.Buckets + 1;

    /// <inheritdoc />
    public int PadId => Special.Pad;

    /// <inheritdoc />
    public SpecialTokens Special { get; } = new(Pad: 0);

    /// <inheritdoc />
    public bool IsContinuation(int id) => false;

    /// <summary>The settings in use.</summary>
    public HashingTokenizerOptions Options => options;

    /// <inheritdoc />
    public int[] Encode(string text, int maxLength = 0)
    {
        ArgumentNullException.ThrowIfNull(text);
        // per-thread scratch lists: growing two fresh lists per text cost a fifth of bulk prediction
        var ids = scratchIds ??= [];
        var words = scratchWords ??= [];
        ids.Clear();
        words.Clear();
        foreach (var word in Words(options.Lowercase ? text.ToLowerInvariant() : text))
        {
            words.Add(AddWord(word.Span, ids));
            // Word n-gram ids come after all unigram ids, so once these fill maxLength the rest would be
            // cut anyway; stopping here keeps a 50 MB text as cheap as a short one.
            if (maxLength > 0 && ids.Count >= maxLength) break;
        }
        for (int n = 2; n <= options.WordNgrams; n++)
        {
            for (int i = 0; i + n <= words.Count; i++)
            {
                ulong hash = words[i];
                for (int j = 1; j < n; j++)
                    hash = (hash * 116_049_371UL) + words[i + j];
                ids.Add(Bucket(hash));
            }
        }
        if (ids.Count == 0)
            ids.Add(Bucket(Fnv1a("<empty>", Seed)));
        if (maxLength > 0 && ids.Count > maxLength)
            ids.RemoveRange(maxLength, ids.Count - maxLength);
        int[] encoded = ids.ToArray();
        if (ids.Capacity > KeptScratch) scratchIds = null; // a huge text must not pin its lists for the thread's lifetime
        if (words.Capacity > KeptScratch) scratchWords = null;
        return encoded;
    }

    /// <summary>
    /// The ids of each word on its own, in text order: the word's id first, then its character n-gram ids (fastText's subwords).
    /// Word n-grams are left out. Word vectors (<c>Pretraining.WordVectorPretraining</c>) train these rows of the bag's table.
    /// </summary>
    internal List<int[]> WordIds(string text)
    {
        var units = new List<int[]>();
        var ids = new List<int>();
        foreach (var word in Words(options.Lowercase ? text.ToLowerInvariant() : text))
        {
            ids.Clear();
            AddWord(word.Span, ids);
            units.Add([.. ids]);
        }
        return units;
    }

    /// <summary>Adds a word's id and its character n-gram ids; returns the word's hash (word n-grams combine them).</summary>
    private ulong AddWord(ReadOnlySpan<char> word, List<int> ids)
    {
        ulong hash = Fnv1a(word, Seed);
        ids.Add(Bucket(hash));
        if (options.MaxCharNgram > 0)
            AddCharNgrams(word, ids);
        return hash;
    }

    /// <inheritdoc />
    public void Save(string directory)
    {
        var json = new JsonObject
        {
            ["tokenizer_class"] = KindName,
            ["buckets"] = options.Buckets,
            ["word_ngrams"] = options.WordNgrams,
            ["min_char_ngram"] = options.MinCharNgram,
            ["max_char_ngram"] = options.MaxCharNgram,
            ["lowercase"] = options.Lowercase,
        };
        TokenizerConfig.Write(directory, json);
    }

    /// <summary>Reads a tokenizer saved by <see cref="Save"/>.</summary>
    /// <param name="directory">The model directory.</param>
    /// <returns>The tokenizer.</returns>
    /// <exception cref="InvalidDataException">The settings file is missing, malformed or out of range.</exception>
    public static HashingTokenizer Load(string directory)
    {
        string path = Path.Combine(directory, ConfigFileName);
        var json = JsonFiles.ReadObject(path);
        if ((json["tokenizer_class"] is null ? null : JsonFiles.GetString(json, "tokenizer_class", path)) != KindName)
            throw new InvalidDataException($"{path}: tokenizer_class is not '{KindName}'.");
        try
        {
            return new HashingTokenizer(new HashingTokenizerOptions
            {
                Buckets = JsonFiles.GetInt(json, "buckets", path),
                WordNgrams = JsonFiles.GetInt(json, "word_ngrams", path),
                MinCharNgram = JsonFiles.GetInt(json, "min_char_ngram", path),
                MaxCharNgram = JsonFiles.GetInt(json, "max_char_ngram", path),
                Lowercase = json["lowercase"] is null || JsonFiles.GetBool(json, "lowercase", path),
            });
        }
        catch (OptionsValidationException e)
        {
            throw new InvalidDataException($"{path}: {e.Message}", e);
        }
    }

    private const ulong Seed = 14_695_981_039_346_656_037UL;

    private int Bucket(ulong hash) => 1 + (int)(hash % (ulong)options.Buckets);

    private void AddCharNgrams(ReadOnlySpan<char> word, List<int> ids)
    {
        Span<char> marked = word.Length + 2 <= 256 ? stackalloc char[word.Length + 2] : new char[word.Length + 2];
        marked[0] = '<';
        word.CopyTo(marked[1..]);
        marked[^1] = '>';
        for (int n = options.MinCharNgram; n <= options.MaxCharNgram; n++)
            for (int i = 0; i + n <= marked.Length; i++)
                if (n != marked.Length) // the whole marked word is the word itself
                    ids.Add(Bucket(Fnv1a(marked.Slice(i, n), Seed ^ 0x9E37_79B9_7F4A_7C15UL)));
    }

    private static IEnumerable<ReadOnlyMemory<char>> Words(string text)
    {
        int start = -1;
        for (int i = 0; i <= text.Length; i++)
        {
            bool inWord = i < text.Length && (char.IsLetterOrDigit(text[i]) || text[i] == '\'');
            if (inWord && start < 0) start = i;
            else if (!inWord && start >= 0)
            {
                yield return text.AsMemory(start, i - start);
                start = -1;
            }
            // punctuation marks are tokens of their own, as in fastText's pre-tokenised input
            if (i < text.Length && !inWord && !char.IsWhiteSpace(text[i]))
                yield return text.AsMemory(i, 1);
        }
    }

    private static ulong Fnv1a(ReadOnlySpan<char> s, ulong seed)
    {
        ulong hash = seed;
        foreach (char c in s)
        {
            hash ^= c;
            hash *= 1_099_511_628_211UL;
        }
        return hash;
    }
}
