using System.Collections.Concurrent;

namespace LlmFineTune.Tests.Cli;

/// <summary>Standard input from a program that sends one line and waits: <see cref="ReadLine"/> blocks until the test sends the next.</summary>
internal sealed class PausingReader : TextReader
{
    private readonly BlockingCollection<string> lines = [];

    public void Send(string line) => lines.Add(line);

    public void End() => lines.CompleteAdding();

    public override string? ReadLine() => lines.TryTake(out string? line, Timeout.Infinite) ? line : null;

    protected override void Dispose(bool disposing)
    {
        if (disposing && !lines.IsAddingCompleted) lines.CompleteAdding();
        base.Dispose(disposing);
    }
}
