namespace LlmFineTune.Cli;

/// <summary>The process exit codes.</summary>
internal static class ExitCodes
{
    public const int Success = 0;
    public const int Failure = 1;
    public const int UserError = 2;
    public const int Cancelled = 130;
}
