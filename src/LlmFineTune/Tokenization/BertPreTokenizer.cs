using System.Globalization;
using System.Text;

namespace LlmFineTune.Tokenization;

/// <summary>
/// BERT's text-to-words step, as Hugging Face's <c>BasicTokenizer</c> defines it, so that a WordPiece
/// vocabulary gives the ids <c>AutoTokenizer</c> gives: control characters, U+0000 and U+FFFD are deleted,
/// white space separates words, CJK ideographs stand alone, words are lower-cased and stripped of accents
/// as the options say, and every punctuation character (Unicode P*, plus ASCII symbols such as <c>$ + = ^ ` | ~</c>) is a word of its own.
/// </summary>
/// <remarks>
/// Not done, as BERT's rare corners: NFC composition of decomposed text (string.Normalize needs ICU, which
/// InvariantGlobalization turns off) and matching special-token strings typed into the text.
/// </remarks>
internal static class BertPreTokenizer
{
    /// <summary>The words of a text, in order.</summary>
    public static IEnumerable<string> Words(string text, WordPieceTokenizerOptions options)
    {
        var word = new StringBuilder();
        foreach (var rune in text.EnumerateRunes())
        {
            int cp = rune.Value;
            if (cp == 0 || cp == 0xFFFD || IsControl(rune))
                continue;
            bool ideograph = options.TokenizeChineseChars && IsCjk(cp);
            if (IsWhiteSpace(rune) || ideograph || IsPunctuation(rune))
            {
                if (word.Length > 0)
                {
                    foreach (string piece in Finish(word.ToString(), options)) yield return piece;
                    word.Clear();
                }
                if (!IsWhiteSpace(rune))
                    foreach (string piece in Finish(rune.ToString(), options)) yield return piece;
                continue;
            }
            word.Append(rune.ToString());
        }
        if (word.Length > 0)
            foreach (string piece in Finish(word.ToString(), options)) yield return piece;
    }

    /// <summary>
    /// Lower-cases and strips accents of one white-space-separated token, then splits it on punctuation again
    /// (accent stripping can leave punctuation, e.g. a spacing accent).
    /// </summary>
    private static IEnumerable<string> Finish(string token, WordPieceTokenizerOptions options)
    {
        if (options.Lowercase) token = token.ToLowerInvariant();
        if (options.StripsAccents) token = StripAccents(token);
        int start = 0;
        for (int i = 0; i < token.Length;)
        {
            var rune = Rune.GetRuneAt(token, i);
            if (IsPunctuation(rune))
            {
                if (i > start) yield return token[start..i];
                yield return token.Substring(i, rune.Utf16SequenceLength);
                start = i + rune.Utf16SequenceLength;
            }
            i += rune.Utf16SequenceLength;
        }
        if (start < token.Length) yield return token[start..];
    }

    /// <summary>NFD minus non-spacing marks, by <see cref="AccentTable"/> (string.Normalize needs ICU).</summary>
    private static string StripAccents(string text)
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

    private static bool IsWhiteSpace(Rune rune) =>
        rune.Value is ' ' or '\t' or '\n' or '\r' || Rune.GetUnicodeCategory(rune) == UnicodeCategory.SpaceSeparator;

    /// <summary>Categories C* (control, format, surrogate, private use, unassigned), except tab and line breaks.</summary>
    private static bool IsControl(Rune rune) =>
        rune.Value is not ('\t' or '\n' or '\r') && Rune.GetUnicodeCategory(rune) is UnicodeCategory.Control or UnicodeCategory.Format
            or UnicodeCategory.Surrogate or UnicodeCategory.PrivateUse or UnicodeCategory.OtherNotAssigned;

    private static bool IsPunctuation(Rune rune)
    {
        int cp = rune.Value;
        if (cp is >= 33 and <= 47 or >= 58 and <= 64 or >= 91 and <= 96 or >= 123 and <= 126)
            return true;
        return Rune.GetUnicodeCategory(rune) is UnicodeCategory.ConnectorPunctuation or UnicodeCategory.DashPunctuation
            or UnicodeCategory.OpenPunctuation or UnicodeCategory.ClosePunctuation or UnicodeCategory.InitialQuotePunctuation
            or UnicodeCategory.FinalQuotePunctuation or UnicodeCategory.OtherPunctuation;
    }

    /// <summary>The CJK Unified Ideographs blocks BERT isolates (not Hangul, Hiragana or Katakana).</summary>
    private static bool IsCjk(int cp) =>
        cp is >= 0x4E00 and <= 0x9FFF or >= 0x3400 and <= 0x4DBF or >= 0x20000 and <= 0x2A6DF or >= 0x2A700 and <= 0x2B73F
            or >= 0x2B740 and <= 0x2B81F or >= 0x2B820 and <= 0x2CEAF or >= 0xF900 and <= 0xFAFF or >= 0x2F800 and <= 0x2FA1F;
}
