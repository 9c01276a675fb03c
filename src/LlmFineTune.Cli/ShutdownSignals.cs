using System.Runtime.InteropServices;

namespace LlmFineTune.Cli;

/// <summary>
/// Ctrl-C (SIGINT) and SIGTERM cancel the running command instead of killing the process, so training can write
/// a checkpoint and a reader can stop cleanly; a second signal kills the process at once.
/// </summary>
internal sealed class ShutdownSignals : IDisposable
{
    private readonly CancellationTokenSource cancel;
    private readonly TextWriter error;
    private readonly PosixSignalRegistration[] registrations;

    public ShutdownSignals(CancellationTokenSource cancel, TextWriter error)
    {
        this.cancel = cancel;
        this.error = error;
        registrations = [PosixSignalRegistration.Create(PosixSignal.SIGINT, OnSignal), PosixSignalRegistration.Create(PosixSignal.SIGTERM, OnSignal)];
    }

    private void OnSignal(PosixSignalContext context)
    {
        if (cancel.IsCancellationRequested) return; // the second signal takes its default course: the process ends
        context.Cancel = true;
        error.WriteLine($"llmft: {context.Signal} received, stopping (send it again to quit at once)...");
        cancel.Cancel();
    }

    public void Dispose()
    {
        foreach (var registration in registrations) registration.Dispose();
    }
}
