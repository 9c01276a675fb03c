using System.Collections;
using LlmFineTune.Data;

namespace LlmFineTune.Cli;

/// <summary>A dataset that throws <see cref="OperationCanceledException"/> on the next example read once the token is cancelled, so a long evaluation stops promptly.</summary>
internal sealed class CancellableDataset(ITextDataset inner, CancellationToken cancellationToken) : ITextDataset
{
    public TaskKind Kind => inner.Kind;

    public LabelMap LabelMap => inner.LabelMap;

    public int Count => inner.Count;

    public TextExample this[int index]
    {
        get
        {
            cancellationToken.ThrowIfCancellationRequested();
            return inner[index];
        }
    }

    public IEnumerator<TextExample> GetEnumerator()
    {
        for (int i = 0; i < Count; i++)
            yield return this[i];
    }

    IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();
}
