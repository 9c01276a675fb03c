using LlmFineTune.Cli;

namespace LlmFineTune.Tests.Cli;

[TestClass]
public sealed class PathChecksTests
{
    [TestMethod]
    public void OutputDirectory_MoreBytesThanTheDiskHas_NamesTheFlagAndBothSizes()
    {
        string path = Path.Combine(Path.GetTempPath(), "llmft-never-written");

        var e = Assert.ThrowsExactly<ArgumentException>(() => PathChecks.OutputDirectory("--output", path, long.MaxValue / 4));

        StringAssert.StartsWith(e.Message, $"--output {path}: the model needs about ");
        StringAssert.Contains(e.Message, "MB free");
        Assert.IsFalse(Directory.Exists(path));
    }

    [TestMethod]
    public void OutputDirectory_RoomEnough_Passes()
    {
        PathChecks.OutputDirectory("--output", Path.Combine(Path.GetTempPath(), "llmft-never-written", "nested"), 1000);
    }

    [TestMethod]
    public void InputFile_DanglingLink_SaysWhereItPoints()
    {
        string dir = Directory.CreateTempSubdirectory("llmft-link-").FullName;
        try
        {
            string link = Path.Combine(dir, "train.tsv");
            File.CreateSymbolicLink(link, Path.Combine(dir, "gone.tsv"));

            var e = Assert.ThrowsExactly<ArgumentException>(() => PathChecks.InputFile("--train", link));

            StringAssert.Contains(e.Message, $"--train {link}: the symbolic link points to {Path.Combine(dir, "gone.tsv")}, which does not exist.");
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }
}
