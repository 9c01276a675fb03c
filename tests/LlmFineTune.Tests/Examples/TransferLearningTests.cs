namespace LlmFineTune.Tests.Examples;

[TestClass]
public sealed class TransferLearningTests
{
    [TestMethod]
    [TestCategory("Slow")]
    public void Run_Quick_ComparesPretrainedAndScratchAtEachLabelBudget()
    {
        var output = new StringWriter();

        int code = LlmFineTune.Examples.TransferLearning.Program.Run(["--quick"], output);

        string text = output.ToString();
        Assert.AreEqual(0, code, text);
        var rows = text.Split('\n').Where(line => line.Length > 0 && char.IsDigit(line[0])).ToArray();
        Assert.HasCount(2, rows, text);
        StringAssert.StartsWith(rows[0], "2 ");
        StringAssert.StartsWith(rows[1], "4 ");
        StringAssert.Contains(text, "majority-class accuracy");
    }
}
