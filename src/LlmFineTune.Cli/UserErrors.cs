using System.Text.Json;
using System.Text.RegularExpressions;
using LlmFineTune.Runtime;
using LlmFineTune.Training;
using Microsoft.Extensions.Options;

namespace LlmFineTune.Cli;

/// <summary>
/// Turns every exception into one line on standard error: bad input (exit code 2) in the words of the flag the
/// user typed, anything else (exit code 1) as an internal error. No stack trace reaches a user unless
/// <c>LLMFT_DEBUG=1</c> asks for it.
/// </summary>
internal static partial class UserErrors
{
    /// <summary>Library option and parameter names, and the flag a CLI user types for each.</summary>
    private static readonly Dictionary<string, string> Flags = new(StringComparer.Ordinal)
    {
        ["Epochs"] = "--epochs",
        ["LearningRate"] = "--lr",
        ["BatchSize"] = "--batch-size",
        ["MaxLength"] = "--max-length",
        ["maxLength"] = "--max-length",
        ["MaxPositions"] = "--max-positions",
        ["weightDecay"] = "--weight-decay",
        ["warmupSteps"] = "--warmup-steps",
        ["Probability"] = "--mask-probability",
        ["GeneratorSizeFraction"] = "--generator-size",
        ["VocabularySize"] = "--vocab-size",
        ["BagBuckets"] = "--buckets",
        ["Buckets"] = "--buckets",
        ["Steps"] = "--steps",
        ["MaxSteps"] = "--steps",
        ["HeldOutDocuments"] = "--held-out",
        ["MaxGradientNorm"] = "--clip",
        ["EarlyStoppingPatience"] = "--early-stopping-patience",
        ["CheckpointEverySteps"] = "--checkpoint-every",
        ["TextField"] = "--text-field",
        ["LabelField"] = "--label-field",
        ["LabelSeparator"] = "--label-separator",
        ["Threshold"] = "--threshold",
        ["TopK"] = "--top-k",
        ["Bits"] = "--bits",
    };

    public static int Guard(CliContext cli, Func<int> body)
    {
        try
        {
            return body();
        }
        catch (OutputClosedException)
        {
            // the reader of our output has seen enough (head, grep -m): stop quietly, as a tool killed by SIGPIPE does
            return ExitCodes.OutputClosed;
        }
        catch (OperationCanceledException) when (cli.CancellationToken.IsCancellationRequested)
        {
            cli.Error.WriteLine("llmft: cancelled.");
            return ExitCodes.Cancelled;
        }
        catch (TorchUnavailableException e)
        {
            cli.Error.WriteLine("llmft: " + OneLine(e.Message));
            return ExitCodes.Failure;
        }
        catch (Exception e) when (IsUserError(e))
        {
            cli.Error.WriteLine("llmft: error: " + InFlagTerms(e));
            return ExitCodes.UserError;
        }
        catch (Exception e)
        {
            // A bug, not a mistake: say so in one line; the trace is for whoever debugs it.
            cli.Error.WriteLine($"llmft: internal error: {e.GetType().Name}: {OneLine(e.Message)}" +
                (Debugging ? Environment.NewLine + e : " (set LLMFT_DEBUG=1 for the stack trace)"));
            return ExitCodes.Failure;
        }
    }

    /// <summary>Exceptions for a wrong file, option, model directory or file system, with messages that name the place and the fix.</summary>
    public static bool IsUserError(Exception e) => e is IOException or InvalidDataException
        or ArgumentException or OptionsValidationException or NotSupportedException or JsonException or UnauthorizedAccessException
        or NonFiniteLossException;

    /// <summary>The message with library option names replaced by the flags that set them.</summary>
    public static string InFlagTerms(Exception e)
    {
        string message = OneLine(e is OptionsValidationException options ? string.Join(" ", options.Failures) : e.Message);
        message = ParameterSuffix().Replace(message, "");
        message = ActualValueSuffix().Replace(message, "");
        foreach (var (name, flag) in Flags)
            message = Regex.Replace(message, $@"(?:\bProperty )?\b(?<![-.]){name}\b", flag);
        return message.Trim();
    }

    private static bool Debugging => Environment.GetEnvironmentVariable("LLMFT_DEBUG") == "1";

    private static string OneLine(string message) =>
        string.Join(' ', message.Split(['\r', '\n'], StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries));

    [GeneratedRegex(@"\s*\(Parameter '[^']*'\)")]
    private static partial Regex ParameterSuffix();

    [GeneratedRegex(@"\s*Actual value was [^ ]*\.?$")]
    private static partial Regex ActualValueSuffix();
}
