namespace LlmFineTune.Cli;

/// <summary>The process exit codes.</summary>
internal static class ExitCodes
{
    public const int Success = 0;
    public const int Failure = 1;
    public const int UserError = 2;
    public const int Cancelled = 130;

    /// <summary>Standard output's reader has gone: 128 + SIGPIPE, what a Unix tool killed by SIGPIPE reports (<c>seq 1000000 | head -1</c>).</summary>
    public const int OutputClosed = 141;
}
