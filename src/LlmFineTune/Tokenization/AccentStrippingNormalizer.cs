using System.Globalization;
using System.Text;
using Microsoft.ML.Tokenizers;

namespace LlmFineTune.Tokenization;

/// <summary>
/// Strips accents with <see cref="AccentTable"/> and drops combining marks, then applies BERT's
/// normalizer; gives BERT's ids for accented text whether or not ICU is available.
/// </summary>
internal sealed class AccentStrippingNormalizer(Normalizer inner) : Normalizer
{
    public override string Normalize(string original) => inner.Normalize(Strip(original));

    public override string Normalize(ReadOnlySpan<char> original) => inner.Normalize(Strip(original.ToString()));

    private static string Strip(string text)
    {
        int first = 0;
        while (first < text.Length && text[first] < 0x80) first++;
        if (first == text.Length) return text; // ASCII: the common case costs one scan
        var result = new StringBuilder(text.Length);
        result.Append(text, 0, first);
        for (int i = first; i < text.Length; i++)
        {
            char c = text[i];
            if (c < 0x80) result.Append(c);
            else if (AccentTable.BaseLetters.TryGetValue(c, out string? letters)) result.Append(letters);
            else if (CharUnicodeInfo.GetUnicodeCategory(c) != UnicodeCategory.NonSpacingMark) result.Append(c);
        }
        return result.ToString();
    }
}
