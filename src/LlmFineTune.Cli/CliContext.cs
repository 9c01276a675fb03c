using Spectre.Console;

namespace LlmFineTune.Cli;

/// <summary>The streams a command writes to, and whether a person is watching.</summary>
internal sealed class CliContext(TextWriter output, TextWriter error, TextReader input, bool interactive, CancellationToken cancellationToken)
{
    public TextWriter Output { get; } = output;

    public TextWriter Error { get; } = error;

    public TextReader Input { get; } = input;

    public bool Interactive { get; } = interactive;

    public CancellationToken CancellationToken { get; } = cancellationToken;

    /// <summary>A Spectre console over <see cref="Output"/>: colours and live widgets on a terminal, plain text otherwise.</summary>
    public IAnsiConsole Console { get; } = AnsiConsole.Create(new AnsiConsoleSettings
    {
        Out = new AnsiConsoleOutput(output),
        Ansi = interactive ? AnsiSupport.Detect : AnsiSupport.No,
        ColorSystem = interactive ? ColorSystemSupport.Detect : ColorSystemSupport.NoColors,
        Interactive = interactive ? InteractionSupport.Detect : InteractionSupport.No,
    });

    /// <summary>Runs a command body, turning a user mistake into one line on standard error and exit code 2.</summary>
    public int Guard(Func<int> body) => UserErrors.Guard(this, body);
}
