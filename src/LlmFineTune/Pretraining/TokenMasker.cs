using LlmFineTune.Tokenization;

namespace LlmFineTune.Pretraining;

/// <summary>BERT's masking: chooses tokens (or whole words), corrupts them 80/10/10 and records the labels.</summary>
internal sealed class TokenMasker
{
    private readonly MaskingOptions options;
    private readonly ITokenizer tokenizer;
    private readonly HashSet<int> special;
    private readonly int maskId;

    public TokenMasker(ITokenizer tokenizer, MaskingOptions options)
    {
        options.Validate();
        this.options = options;
        this.tokenizer = tokenizer;
        var s = tokenizer.Special;
        maskId = s.Mask ?? throw new ArgumentException($"Masked-LM pretraining needs a tokenizer with a [MASK] token; {tokenizer.GetType().Name} has none. Use a WordPiece vocabulary.", nameof(tokenizer));
        special = new[] { s.Pad, s.Classification, s.Separator, s.Mask, s.EndOfText }.Where(i => i.HasValue).Select(i => i!.Value).ToHashSet();
    }

    /// <summary>Masks in place. <paramref name="ids"/> and <paramref name="labels"/> are row-major <c>[rows, width]</c>; padding has mask 0.</summary>
    public void Apply(long[] ids, long[] mask, long[] labels, int width, Random random)
    {
        Array.Fill(labels, Pretraining.IPretrainingObjective.IgnoredLabel);
        int chosenTotal = 0;
        int firstEligible = -1;
        for (int start = 0; start < ids.Length; start += width)
        {
            int position = start;
            int end = start + width;
            while (position < end)
            {
                if (!Eligible(ids, mask, position)) { position++; continue; }
                if (firstEligible < 0) firstEligible = position;
                int wordEnd = position + 1;
                if (options.WholeWordMasking)
                    while (wordEnd < end && Eligible(ids, mask, wordEnd) && tokenizer.IsContinuation((int)ids[wordEnd])) wordEnd++;
                if (random.NextDouble() < options.Probability)
                {
                    for (int p = position; p < wordEnd; p++) Corrupt(ids, labels, p, random);
                    chosenTotal += wordEnd - position;
                }
                position = wordEnd;
            }
        }
        // A batch without a single target has no loss; predict one token rather than return NaN.
        if (chosenTotal == 0 && firstEligible >= 0)
            Corrupt(ids, labels, firstEligible, random);
    }

    private bool Eligible(long[] ids, long[] mask, int position) => mask[position] != 0 && !special.Contains((int)ids[position]);

    private void Corrupt(long[] ids, long[] labels, int position, Random random)
    {
        labels[position] = ids[position];
        double r = random.NextDouble();
        if (r < options.MaskFraction)
            ids[position] = maskId;
        else if (r < options.MaskFraction + options.RandomFraction)
            ids[position] = RandomToken(random);
    }

    private int RandomToken(Random random)
    {
        int id;
        do id = random.Next(tokenizer.VocabularySize);
        while (special.Contains(id));
        return id;
    }
}
