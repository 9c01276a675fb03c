using System.Text.Json;
using LlmFineTune.Runtime;
using LlmFineTune.Training;
using Microsoft.Extensions.Options;

namespace LlmFineTune.Cli;

/// <summary>Maps the library's exceptions for bad input to one line and exit code 2; everything else is a bug and keeps its stack trace.</summary>
internal static class UserErrors
{
    public static int Guard(CliContext cli, Func<int> body)
    {
        try
        {
            return body();
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
            cli.Error.WriteLine("llmft: error: " + OneLine(e.Message));
            return ExitCodes.UserError;
        }
    }

    /// <summary>Exceptions the library throws for a wrong file, option or model directory, with messages that name the place and the fix.</summary>
    public static bool IsUserError(Exception e) => e is FileNotFoundException or DirectoryNotFoundException or InvalidDataException
        or ArgumentException or OptionsValidationException or NotSupportedException or JsonException or UnauthorizedAccessException
        or NonFiniteLossException or PathTooLongException;

    private static string OneLine(string message) =>
        string.Join(' ', message.Split(['\r', '\n'], StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries));
}
