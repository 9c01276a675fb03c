using LlmFineTune.Tokenization;

namespace LlmFineTune.Tests.Backbones;

/// <summary>
/// A test tokenizer over a small vocab.txt: whitespace-separated tokens looked up as they are
/// (write "play ##ing" for word pieces), wrapped in [CLS] … [SEP]. Ids 0-4 are [PAD] [UNK] [CLS] [SEP] [MASK].
/// </summary>
internal sealed class TinyWordTokenizer : ITokenizer
{
    private readonly string[] vocabulary;
    private readonly Dictionary<string, int> ids;

    public TinyWordTokenizer(IEnumerable<string> words)
    {
        vocabulary = ["[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]", .. words];
        ids = vocabulary.Select((w, i) => (w, i)).ToDictionary(p => p.w, p => p.i);
    }

    /// <summary>A vocabulary of <paramref name="size"/> entries: specials, then w5, w6, … with every third one a ## piece.</summary>
    public static TinyWordTokenizer Synthetic(int size) =>
        new(Enumerable.Range(5, size - 5).Select(i => i % 3 == 0 ? $"##w{i}" : $"w{i}"));

    public int VocabularySize => vocabulary.Length;

    public int PadId => 0;

    public SpecialTokens Special { get; } = new(Pad: 0, Unknown: 1, Classification: 2, Separator: 3, Mask: 4);

    public bool IsContinuation(int id) => vocabulary[id].StartsWith("##", StringComparison.Ordinal);

    public string this[int id] => vocabulary[id];

    public int[] Encode(string text, int maxLength = 0)
    {
        var tokens = text.Split(' ', StringSplitOptions.RemoveEmptyEntries).Select(w => ids.GetValueOrDefault(w, 1));
        int[] all = [2, .. tokens, 3];
        return maxLength > 0 && all.Length > maxLength ? [.. all[..(maxLength - 1)], 3] : all;
    }

    public void Save(string directory) => File.WriteAllLines(Path.Combine(directory, "vocab.txt"), vocabulary);

    public static TinyWordTokenizer Load(string directory) => new(File.ReadAllLines(Path.Combine(directory, "vocab.txt")).Skip(5));
}
