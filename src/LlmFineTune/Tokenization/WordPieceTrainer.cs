using System.Text;
using LlmFineTune.Data;

namespace LlmFineTune.Tokenization;

/// <summary>
/// Learns a WordPiece vocabulary from text, the way Hugging Face tokenizers' WordPiece trainer does:
/// BERT normalization and pre-tokenization, an alphabet of characters (word-initial "c" and
/// word-internal "##c"), then repeated merges of the most frequent adjacent pair of pieces until
/// the vocabulary is full or no pair is frequent enough.
/// </summary>
/// <remarks>
/// Deterministic: ties between equally frequent pairs go to the pair whose pieces were created first.
/// Memory grows with the number of distinct words, not with the corpus size.
/// </remarks>
public sealed class WordPieceTrainer
{
    private const string Prefix = "##";
    private readonly WordPieceTrainerOptions options;

    /// <summary>Creates a trainer.</summary>
    /// <param name="options">Settings; defaults when null. Validated here.</param>
    /// <exception cref="Microsoft.Extensions.Options.OptionsValidationException">A setting is invalid; the message names it.</exception>
    public WordPieceTrainer(WordPieceTrainerOptions? options = null)
    {
        this.options = options ?? new WordPieceTrainerOptions();
        this.options.Validate();
    }

    /// <summary>Learns a vocabulary from a streamed corpus.</summary>
    /// <param name="corpus">The documents (read once, start to end).</param>
    /// <param name="cancellationToken">Stops training.</param>
    /// <returns>The tokenizer; <see cref="WordPieceTokenizer.Save"/> writes its <c>vocab.txt</c>.</returns>
    /// <exception cref="InvalidDataException">The corpus is unreadable or has no words.</exception>
    /// <exception cref="OperationCanceledException">Cancelled.</exception>
    public WordPieceTokenizer Train(ITextCorpus corpus, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(corpus);
        return Train(corpus.Read().Select(d => d.Text), cancellationToken);
    }

    /// <summary>Learns a vocabulary from texts.</summary>
    /// <param name="texts">The texts (enumerated once).</param>
    /// <param name="cancellationToken">Stops training.</param>
    /// <returns>The tokenizer.</returns>
    /// <exception cref="InvalidDataException">The texts contain no words.</exception>
    /// <exception cref="OperationCanceledException">Cancelled.</exception>
    public WordPieceTokenizer Train(IEnumerable<string> texts, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(texts);
        var wordCounts = CountWords(texts, cancellationToken);
        if (wordCounts.Count == 0)
            throw new InvalidDataException("The training text has no words; give the trainer a non-empty corpus.");
        var vocabulary = Learn(wordCounts, cancellationToken);
        return WordPieceTokenizer.FromTokens(vocabulary, options.Tokenizer);
    }

    private Dictionary<string, long> CountWords(IEnumerable<string> texts, CancellationToken cancellationToken)
    {
        var specials = new HashSet<string>(options.Tokenizer.SpecialTokens.Concat(options.AdditionalSpecialTokens), StringComparer.Ordinal);
        var counts = new Dictionary<string, long>(StringComparer.Ordinal);
        int maxChars = options.Tokenizer.MaxInputCharsPerWord;
        long documents = 0;
        foreach (string text in texts)
        {
            if ((++documents & 1023) == 0) cancellationToken.ThrowIfCancellationRequested();
            if (string.IsNullOrEmpty(text)) continue;
            // the words encoding will see, so that the vocabulary is learned on exactly those
            foreach (string word in BertPreTokenizer.Words(text, options.Tokenizer))
            {
                if (word.Length > maxChars || specials.Contains(word)) continue; // such words encode to [UNK] anyway
                counts[word] = counts.GetValueOrDefault(word) + 1;
            }
        }
        return counts;
    }

    private List<string> Learn(Dictionary<string, long> wordCounts, CancellationToken cancellationToken)
    {
        // the alphabet: characters (code points) by frequency, optionally limited
        var charCounts = new Dictionary<string, long>(StringComparer.Ordinal);
        foreach (var (word, count) in wordCounts)
            foreach (var rune in word.EnumerateRunes())
            {
                string c = rune.ToString();
                charCounts[c] = charCounts.GetValueOrDefault(c) + count;
            }
        var alphabet = charCounts
            .OrderByDescending(p => p.Value).ThenBy(p => p.Key, StringComparer.Ordinal)
            .Take(options.LimitAlphabet ?? int.MaxValue)
            .Select(p => p.Key).Order(StringComparer.Ordinal).ToArray();

        var tokens = new List<string>();
        var ids = new Dictionary<string, int>(StringComparer.Ordinal);
        int Intern(string token)
        {
            if (!ids.TryGetValue(token, out int id))
            {
                id = tokens.Count;
                ids[token] = id;
                tokens.Add(token);
            }
            return id;
        }
        foreach (string special in options.Tokenizer.SpecialTokens.Concat(options.AdditionalSpecialTokens)) Intern(special);
        foreach (string c in alphabet) Intern(c);
        foreach (string c in alphabet) Intern(Prefix + c);

        // each distinct word as a sequence of piece ids; words with a character outside the alphabet cannot be merged
        var words = new List<int[]>();
        var frequencies = new List<long>();
        foreach (var (word, count) in wordCounts.OrderBy(p => p.Key, StringComparer.Ordinal))
        {
            var pieces = new List<int>();
            bool ok = true;
            foreach (var rune in word.EnumerateRunes())
            {
                string piece = pieces.Count == 0 ? rune.ToString() : Prefix + rune;
                if (!ids.TryGetValue(piece, out int id)) { ok = false; break; }
                pieces.Add(id);
            }
            if (!ok || pieces.Count < 2) continue;
            words.Add(pieces.ToArray());
            frequencies.Add(count);
        }

        var pairCounts = new Dictionary<long, long>();
        var where = new Dictionary<long, HashSet<int>>();
        for (int w = 0; w < words.Count; w++)
            AddPairs(words[w], frequencies[w], w, pairCounts, where, null);
        var queue = new PriorityQueue<long, (long NegativeCount, long Pair)>();
        foreach (var (pair, count) in pairCounts) queue.Enqueue(pair, (-count, pair));

        var touched = new HashSet<long>();
        while (tokens.Count < options.VocabularySize && queue.TryDequeue(out long best, out var priority))
        {
            long current = pairCounts.GetValueOrDefault(best);
            if (current != -priority.NegativeCount)
            {
                // stale entry: counts only fall for old pairs, so re-queue with the true count
                if (current > 0) queue.Enqueue(best, (-current, best));
                continue;
            }
            if (current < options.MinFrequency) break;
            cancellationToken.ThrowIfCancellationRequested();
            int left = (int)(best >> 32), right = (int)(best & 0xFFFF_FFFF);
            string rightText = tokens[right];
            int merged = Intern(tokens[left] + (rightText.StartsWith(Prefix, StringComparison.Ordinal) ? rightText[Prefix.Length..] : rightText));
            touched.Clear();
            foreach (int w in where[best].ToArray())
            {
                var pieces = words[w];
                if (!Contains(pieces, left, right)) continue;
                AddPairs(pieces, -frequencies[w], w, pairCounts, null, null);
                words[w] = pieces = Merge(pieces, left, right, merged);
                AddPairs(pieces, frequencies[w], w, pairCounts, where, touched);
            }
            pairCounts.Remove(best);
            foreach (long pair in touched)
                if (pairCounts.GetValueOrDefault(pair) is > 0 and var count && ((int)(pair >> 32) == merged || (int)(pair & 0xFFFF_FFFF) == merged))
                    queue.Enqueue(pair, (-count, pair));
        }
        return tokens;
    }

    private static long Key(int left, int right) => ((long)left << 32) | (uint)right;

    private static void AddPairs(int[] pieces, long frequency, int word, Dictionary<long, long> counts, Dictionary<long, HashSet<int>>? where, HashSet<long>? touched)
    {
        for (int i = 0; i + 1 < pieces.Length; i++)
        {
            long key = Key(pieces[i], pieces[i + 1]);
            long updated = counts.GetValueOrDefault(key) + frequency;
            if (updated == 0) counts.Remove(key);
            else counts[key] = updated;
            if (where is not null)
            {
                if (!where.TryGetValue(key, out var set)) where[key] = set = [];
                set.Add(word);
            }
            touched?.Add(key);
        }
    }

    private static bool Contains(int[] pieces, int left, int right)
    {
        for (int i = 0; i + 1 < pieces.Length; i++)
            if (pieces[i] == left && pieces[i + 1] == right) return true;
        return false;
    }

    private static int[] Merge(int[] pieces, int left, int right, int merged)
    {
        var result = new List<int>(pieces.Length);
        for (int i = 0; i < pieces.Length; i++)
        {
            if (i + 1 < pieces.Length && pieces[i] == left && pieces[i + 1] == right)
            {
                result.Add(merged);
                i++;
            }
            else result.Add(pieces[i]);
        }
        return result.ToArray();
    }
}
