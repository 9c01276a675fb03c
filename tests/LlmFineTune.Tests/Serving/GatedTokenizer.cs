using LlmFineTune.Tokenization;

namespace LlmFineTune.Tests.Serving;

/// <summary>
/// A hashing tokenizer that holds the serving thread inside <see cref="Encode"/> on the text "hold" until released, so a
/// test can fill the queue behind a forward pass deterministically.
/// </summary>
internal sealed class GatedTokenizer(HashingTokenizer inner) : ITokenizer
{
    public const string Hold = "hold";

    private readonly ManualResetEventSlim entered = new(false);
    private readonly ManualResetEventSlim released = new(false);

    public int VocabularySize => inner.VocabularySize;

    public int PadId => inner.PadId;

    public SpecialTokens Special => inner.Special;

    public bool IsContinuation(int id) => inner.IsContinuation(id);

    public int[] Encode(string text, int maxLength = 0)
    {
        if (text == Hold)
        {
            entered.Set();
            Assert.IsTrue(released.Wait(TimeSpan.FromSeconds(20)), "the test never released the held forward pass");
        }
        return inner.Encode(text, maxLength);
    }

    public void Save(string directory) => inner.Save(directory);

    /// <summary>Waits until the serving thread is held in a forward pass.</summary>
    public void WaitUntilHeld() => Assert.IsTrue(entered.Wait(TimeSpan.FromSeconds(10)), "the serving thread never started the held forward pass");

    public void Release() => released.Set();
}
