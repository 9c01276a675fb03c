using System.Text;

namespace LlmFineTune.Tests.Cli;

/// <summary>Standard output that presses Ctrl-C (cancels the token) once a line containing <paramref name="trigger"/> is written.</summary>
internal sealed class CancellingWriter(string trigger, CancellationTokenSource cancel) : TextWriter
{
    private readonly StringBuilder all = new();
    private readonly StringBuilder line = new();

    public override Encoding Encoding => Encoding.UTF8;

    public override void Write(char value)
    {
        all.Append(value);
        if (value != '\n')
        {
            line.Append(value);
            return;
        }
        if (line.ToString().Contains(trigger, StringComparison.Ordinal)) cancel.Cancel();
        line.Clear();
    }

    public override string ToString() => all.ToString();
}
