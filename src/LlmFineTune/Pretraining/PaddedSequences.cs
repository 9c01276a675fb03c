namespace LlmFineTune.Pretraining;

/// <summary>Token sequences right-padded into row-major <c>[rows, width]</c> arrays, before they become tensors.</summary>
internal sealed class PaddedSequences
{
    public PaddedSequences(IReadOnlyList<int[]> sequences, int padId)
    {
        ArgumentNullException.ThrowIfNull(sequences);
        if (sequences.Count == 0 || sequences.Any(s => s is null || s.Length == 0))
            throw new ArgumentException("A batch needs at least one sequence, and every sequence at least one token.", nameof(sequences));
        Rows = sequences.Count;
        Width = sequences.Max(s => s.Length);
        Ids = new long[Rows * Width];
        Mask = new long[Rows * Width];
        Array.Fill(Ids, padId);
        for (int r = 0; r < Rows; r++)
            for (int c = 0; c < sequences[r].Length; c++)
            {
                Ids[r * Width + c] = sequences[r][c];
                Mask[r * Width + c] = 1;
            }
    }

    public int Rows { get; }

    public int Width { get; }

    public long[] Ids { get; }

    public long[] Mask { get; }

    public long[] Shape => [Rows, Width];
}
