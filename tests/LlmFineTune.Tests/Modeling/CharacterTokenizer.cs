using System.Globalization;
using LlmFineTune.Tokenization;

namespace LlmFineTune.Tests.Modeling;

/// <summary>
/// A user-written tokenizer for the part-registry tests: each character hashed into <see cref="Buckets"/> ids after the
/// padding id, its one setting saved in its own file (as a user's tokenizer would), so that loading must find the
/// registered loader to read it back.
/// </summary>
internal sealed class CharacterTokenizer(int buckets) : ITokenizer
{
    public const string FileName = "character_tokenizer.txt";

    public int Buckets { get; } = buckets;

    public int VocabularySize => Buckets + 1;

    public int PadId => 0;

    public SpecialTokens Special { get; } = new(Pad: 0);

    public bool IsContinuation(int id) => false;

    public int[] Encode(string text, int maxLength = 0)
    {
        var ids = text.Select(c => 1 + c % Buckets).DefaultIfEmpty(1);
        return [.. maxLength > 0 ? ids.Take(maxLength) : ids];
    }

    public void Save(string directory) => File.WriteAllText(Path.Combine(directory, FileName), Buckets.ToString(CultureInfo.InvariantCulture));

    public static CharacterTokenizer Load(string directory) =>
        new(int.Parse(File.ReadAllText(Path.Combine(directory, FileName)), CultureInfo.InvariantCulture));
}
