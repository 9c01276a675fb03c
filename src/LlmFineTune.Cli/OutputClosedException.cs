namespace LlmFineTune.Cli;

/// <summary>Standard output's reader has gone (<c>llmft predict ... | head -1</c> after its line): nothing more can be delivered.</summary>
internal sealed class OutputClosedException(IOException inner)
    : Exception("Standard output was closed by its reader.", inner);
