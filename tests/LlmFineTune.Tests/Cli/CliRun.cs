namespace LlmFineTune.Tests.Cli;

/// <summary>Runs <c>llmft</c> in-process and captures what it wrote.</summary>
internal sealed record CliRun(int ExitCode, string Output, string Error)
{
    public static CliRun Of(params string[] args) => WithInput("", args);

    public static CliRun WithInput(string input, params string[] args)
    {
        var output = new StringWriter();
        var error = new StringWriter();
        int code = LlmFineTune.Cli.Program.Run(args, output, error, new StringReader(input));
        return new CliRun(code, output.ToString(), error.ToString());
    }

    /// <summary>The non-empty lines of standard error.</summary>
    public string[] ErrorLines => Error.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
}
