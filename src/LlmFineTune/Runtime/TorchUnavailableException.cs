namespace LlmFineTune.Runtime;

/// <summary>
/// TorchSharp's native runtime could not be loaded. The message names the native file, the
/// missing file or symbol version, and the fix.
/// </summary>
public sealed class TorchUnavailableException : InvalidOperationException
{
    /// <summary>Creates the exception with a diagnosis and the original failure.</summary>
    /// <param name="message">What is missing and how to fix it.</param>
    /// <param name="innerException">TorchSharp's own failure.</param>
    public TorchUnavailableException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
