using LlmFineTune.Cli;
using LlmFineTune.Training;
using Microsoft.Extensions.Options;

namespace LlmFineTune.Tests.Cli;

[TestClass]
public sealed class UserErrorsTests
{
    private static (int Code, string Error) Guard(Func<int> body)
    {
        var error = new StringWriter();
        int code = UserErrors.Guard(new CliContext(new StringWriter(), error, TextReader.Null, interactive: false, default), body);
        return (code, error.ToString());
    }

    [TestMethod]
    public void Guard_Bug_OneLineExitCode1AndNoStackTrace()
    {
        var (code, error) = Guard(() => throw new InvalidOperationException("something inside broke"));

        Assert.AreEqual(1, code);
        Assert.AreEqual("llmft: internal error: InvalidOperationException: something inside broke (set LLMFT_DEBUG=1 for the stack trace)", error.Trim());
    }

    [TestMethod]
    public void Guard_DiskFull_IsAUserErrorNamingThePath()
    {
        var (code, error) = Guard(() => throw new IOException("No space left on device : '/data/model/model.safetensors'"));

        Assert.AreEqual(2, code);
        Assert.AreEqual("llmft: error: No space left on device : '/data/model/model.safetensors'", error.Trim());
    }

    [TestMethod]
    public void InFlagTerms_LibraryOptionNames_BecomeTheFlagsTheUserTyped()
    {
        var options = new OptionsValidationException("", typeof(TrainerOptions), ["Property Epochs: must be at least 1 (was 0)."]);
        var range = new ArgumentOutOfRangeException("VocabularySize", 5, "VocabularySize ('5') must be greater than or equal to '16'.");
        var data = new InvalidDataException("x.csv:1: the header has no column 'text'. Set TextField and LabelField to the column names.");

        Assert.AreEqual("--epochs: must be at least 1 (was 0).", UserErrors.InFlagTerms(options));
        Assert.AreEqual("--vocab-size ('5') must be greater than or equal to '16'.", UserErrors.InFlagTerms(range));
        Assert.AreEqual("x.csv:1: the header has no column 'text'. Set --text-field and --label-field to the column names.", UserErrors.InFlagTerms(data));
    }
}
