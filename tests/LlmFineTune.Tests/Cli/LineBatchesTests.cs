using LlmFineTune.Cli;

namespace LlmFineTune.Tests.Cli;

[TestClass]
public sealed class LineBatchesTests
{
    [TestMethod]
    [Timeout(30_000)]
    public void Next_InputAlreadyThere_FullBatchesInOrder()
    {
        var lines = Enumerable.Range(0, 20).Select(i => $"line {i}").ToArray();
        using var batches = new LineBatches(new StringReader(string.Join('\n', lines)), batchSize: 8);
        while (batches.Buffered < 16) Thread.Sleep(10); // the reader stops at twice the batch size: memory stays flat

        var first = batches.Next(default);
        var second = batches.Next(default);
        var rest = new List<string>();
        for (var batch = batches.Next(default); batch.Count > 0; batch = batches.Next(default)) rest.AddRange(batch);

        Assert.HasCount(8, first);
        Assert.HasCount(8, second);
        CollectionAssert.AreEqual(lines, first.Concat(second).Concat(rest).ToArray());
    }

    [TestMethod]
    [Timeout(30_000)]
    public void Next_PausingInput_ReturnsWhatHasArrivedWithoutWaitingForMore()
    {
        using var input = new PausingReader();
        using var batches = new LineBatches(input, batchSize: 64);

        input.Send("one");
        CollectionAssert.AreEqual(new[] { "one" }, batches.Next(default));
        input.Send("two");
        CollectionAssert.AreEqual(new[] { "two" }, batches.Next(default));
        input.End();
        Assert.HasCount(0, batches.Next(default));
    }

    [TestMethod]
    public void Next_ReaderFails_ThrowsItsErrorAfterTheLinesBeforeIt()
    {
        using var batches = new LineBatches(new FailingReader(), batchSize: 4);

        CollectionAssert.AreEqual(new[] { "ok" }, batches.Next(default));
        Assert.ThrowsExactly<IOException>(() => batches.Next(default));
    }

    private sealed class FailingReader : TextReader
    {
        private bool sent;

        public override string? ReadLine()
        {
            if (sent) throw new IOException("the pipe broke");
            sent = true;
            return "ok";
        }
    }
}
