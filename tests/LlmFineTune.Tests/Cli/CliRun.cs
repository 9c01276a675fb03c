namespace LlmFineTune.Tests.Cli;

/// <summary>Runs <c>llmft</c> in-process and captures what it wrote.</summary>
internal sealed record CliRun(int ExitCode, string Output, string Error)
{
    public static CliRun Of(params string[] args) => WithInput("", args);

    public static CliRun WithInput(string input, params string[] args) => With(new StringReader(input), new StringWriter(), default, args);

    /// <summary>Runs with the given input, output writer and cancellation token.</summary>
    public static CliRun With(TextReader input, TextWriter output, CancellationToken cancellationToken, params string[] args)
    {
        var error = new StringWriter();
        int code = LlmFineTune.Cli.Program.Run(args, output, error, input, interactive: false, cancellationToken);
        return new CliRun(code, output.ToString() ?? "", error.ToString());
    }

    /// <summary>The non-empty lines of standard error.</summary>
    public string[] ErrorLines => Error.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);

    /// <summary>The non-empty lines of standard output.</summary>
    public string[] OutputLines => Output.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
}
