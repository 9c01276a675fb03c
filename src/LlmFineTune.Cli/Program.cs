using System.CommandLine;
using System.CommandLine.Help;
using LlmFineTune.Cli.Commands;
using LlmFineTune.Runtime;

namespace LlmFineTune.Cli;

/// <summary>The <c>llmft</c> command line: pretrain, finetune, evaluate, predict and compare.</summary>
public static class Program
{
    /// <summary>
    /// The process entry point; Ctrl+C or SIGTERM cancels the command (training saves a checkpoint first), and a closed
    /// standard output (<c>llmft predict ... | head -1</c>) ends it quietly with exit code 141, as SIGPIPE ends a Unix tool.
    /// </summary>
    /// <param name="args">The command line.</param>
    /// <returns>0 on success, 2 for a user mistake, 1 for anything else, 130 when cancelled, 141 when standard output's reader has gone.</returns>
    public static int Main(string[] args)
    {
        // A command-line training process owns its whole process, so it takes the allocator and thread tuning.
        TorchRuntime.PerformanceDefaults = true;
        using var cancel = new CancellationTokenSource();
        using var signals = new ShutdownSignals(cancel, Console.Error);
        return Run(args, StandardOutput.Open(), Console.Error, Console.In, interactive: !Console.IsOutputRedirected && !Console.IsErrorRedirected, cancel.Token);
    }

    /// <summary>Runs one <c>llmft</c> command in-process with the given streams.</summary>
    /// <param name="args">The command line, without the program name.</param>
    /// <param name="output">Results: tables, summaries, prediction lines, plain progress lines.</param>
    /// <param name="error">Error messages (one line per user mistake).</param>
    /// <param name="input">Texts for <c>predict</c> when <c>--input</c> is not given; empty when null.</param>
    /// <param name="interactive">True draws a live progress bar (a terminal); false writes plain log lines.</param>
    /// <param name="cancellationToken">Stops the command: training between steps (after a checkpoint), predict and evaluate between texts.</param>
    /// <returns>0 on success, 2 for a user mistake, 1 for anything else, 130 when cancelled, 141 when <paramref name="output"/> reports its reader gone.</returns>
    public static int Run(string[] args, TextWriter output, TextWriter error, TextReader? input = null, bool interactive = false, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(args);
        ArgumentNullException.ThrowIfNull(output);
        ArgumentNullException.ThrowIfNull(error);
        var cli = new CliContext(output, error, input ?? TextReader.Null, interactive, cancellationToken);
        var root = new RootCommand("Pretrain, fine-tune, evaluate and run text classifiers on CPU (LlmFineTune).")
        {
            PretrainCommand.Create(cli),
            FinetuneCommand.Create(cli),
            EvaluateCommand.Create(cli),
            PredictCommand.Create(cli),
            CompareCommand.Create(cli),
            ExportCommand.Create(cli),
            QuantizeCommand.Create(cli),
        };
        var parsed = root.Parse(args);
        if (parsed.Action is not HelpAction && parsed.Errors.Count > 0)
        {
            string verb = parsed.CommandResult.Command == root ? "" : " " + parsed.CommandResult.Command.Name;
            // An unknown word explains more than the "required command" error it causes.
            var first = parsed.Errors.OrderBy(e => e.Message.StartsWith("Unrecognized", StringComparison.Ordinal) ? 0 : 1).First();
            string message = string.Join(' ', first.Message.Split((char[])['\r', '\n', '\t'], StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries));
            error.WriteLine($"llmft{verb}: {message} Run 'llmft{verb} --help' for usage.");
            return ExitCodes.UserError;
        }
        try
        {
            return parsed.Invoke(new InvocationConfiguration { Output = output, Error = error, EnableDefaultExceptionHandler = false });
        }
        catch (OutputClosedException)
        {
            // help or usage text cut short by its reader (commands stop in UserErrors.Guard)
            return ExitCodes.OutputClosed;
        }
    }
}
