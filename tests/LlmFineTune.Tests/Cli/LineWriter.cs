using System.Collections.Concurrent;
using System.Text;

namespace LlmFineTune.Tests.Cli;

/// <summary>Standard output the test reads line by line while the command still runs.</summary>
internal sealed class LineWriter : TextWriter
{
    private readonly BlockingCollection<string> lines = [];
    private readonly StringBuilder partial = new();

    public override Encoding Encoding => Encoding.UTF8;

    public override void Write(char value)
    {
        lock (partial)
        {
            if (value == '\n')
            {
                lines.Add(partial.ToString().TrimEnd('\r'));
                partial.Clear();
            }
            else
            {
                partial.Append(value);
            }
        }
    }

    /// <summary>The next complete line; fails after 20 s, which means the command held it back.</summary>
    public string Next() => lines.TryTake(out string? line, TimeSpan.FromSeconds(20)) ? line : throw new AssertFailedException("no output line within 20 s");
}
