using System.Diagnostics;
using System.Globalization;
using System.Reflection;
using System.Text;

namespace LlmFineTune.Tests.Examples;

/// <summary>Runs an example program from its own output folder as a process, collecting its output.</summary>
internal sealed class ExampleProcess : IDisposable
{
    private readonly Process process;
    private readonly StringBuilder output = new();
    private readonly Lock gate = new();

    private ExampleProcess(Process process) => this.process = process;

    /// <summary>Standard output and error so far, interleaved.</summary>
    public string Output
    {
        get { lock (gate) return output.ToString(); }
    }

    /// <summary>The folder an example is built into (the test project builds every example it starts).</summary>
    public static string OutputFolder(string example)
    {
        string pattern = typeof(ExampleProcess).Assembly.GetCustomAttributes<AssemblyMetadataAttribute>().Single(a => a.Key == "ExampleOutputFolder").Value!;
        return string.Format(CultureInfo.InvariantCulture, pattern, example);
    }

    public static ExampleProcess Start(string example, params string[] arguments)
    {
        string folder = OutputFolder(example);
        string dll = Path.Combine(folder, example + ".dll");
        Assert.IsTrue(File.Exists(dll), $"{dll} is missing: the test project should build the {example} example (a ProjectReference).");
        var info = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false, WorkingDirectory = folder };
        info.ArgumentList.Add(dll);
        foreach (string argument in arguments)
            info.ArgumentList.Add(argument);
        var started = new ExampleProcess(new Process { StartInfo = info });
        started.process.OutputDataReceived += (_, e) => started.Append(e.Data);
        started.process.ErrorDataReceived += (_, e) => started.Append(e.Data);
        started.process.Start();
        started.process.BeginOutputReadLine();
        started.process.BeginErrorReadLine();
        return started;
    }

    /// <summary>Waits until the output contains <paramref name="text"/>; fails with the output so far if the process exits first or time runs out.</summary>
    public void WaitForOutput(string text, TimeSpan timeout)
    {
        var clock = Stopwatch.StartNew();
        while (!Output.Contains(text, StringComparison.Ordinal))
        {
            if (process.HasExited)
                Assert.Fail($"The example exited with code {process.ExitCode} before printing '{text}':\n{Output}");
            if (clock.Elapsed > timeout)
                Assert.Fail($"The example did not print '{text}' within {timeout.TotalSeconds} s:\n{Output}");
            Thread.Sleep(50);
        }
    }

    /// <summary>Waits for the process to exit and returns its exit code.</summary>
    public int WaitForExit(TimeSpan timeout)
    {
        if (!process.WaitForExit(timeout))
            Assert.Fail($"The example did not finish within {timeout.TotalSeconds} s:\n{Output}");
        process.WaitForExit();
        return process.ExitCode;
    }

    private void Append(string? line)
    {
        if (line is null) return;
        lock (gate) output.AppendLine(line);
    }

    public void Dispose()
    {
        if (!process.HasExited)
        {
            process.Kill(entireProcessTree: true);
            process.WaitForExit();
        }
        process.Dispose();
    }
}
