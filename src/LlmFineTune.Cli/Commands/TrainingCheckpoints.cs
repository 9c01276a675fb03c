using LlmFineTune.Training.Checkpoints;

namespace LlmFineTune.Cli.Commands;

/// <summary>
/// The checkpoints of one training command, beside its output as <c>OUTPUT.checkpoints</c>: written when the run is
/// interrupted (Ctrl-C, SIGTERM) and every <c>--checkpoint-every</c> steps, read by <c>--resume</c>, deleted once
/// the model is saved. A run that finishes without interruption or periodic checkpoints writes none.
/// </summary>
internal sealed class TrainingCheckpoints(string output, int everySteps, CancellationToken cancellationToken) : ICheckpointStore
{
    private readonly DirectoryCheckpointStore store = new(Path.GetFullPath(output).TrimEnd(Path.DirectorySeparatorChar) + ".checkpoints", keepLast: 1);

    public string Root => store.Root;

    public string Save(int step, Action<string> write) =>
        everySteps > 0 || cancellationToken.IsCancellationRequested ? store.Save(step, write) : store.Root;

    public string? Latest() => store.Latest();

    /// <summary>The checkpoint <c>--resume</c> continues from.</summary>
    /// <exception cref="ArgumentException">There is none.</exception>
    public string RequireLatest() => Latest()
        ?? throw new ArgumentException($"--resume: no checkpoint in {Root}. Checkpoints are written there when training is interrupted (Ctrl-C) or with --checkpoint-every; run without --resume to start afresh.");

    /// <summary>Runs the training; when the run is interrupted, says on standard error where the checkpoint is and how to resume.</summary>
    /// <returns>False when interrupted (the command exits with <see cref="ExitCodes.Cancelled"/>).</returns>
    public bool TryTrain<T>(CliContext cli, string verb, Func<T> train, out T result)
    {
        try
        {
            result = train();
            return true;
        }
        catch (OperationCanceledException) when (cli.CancellationToken.IsCancellationRequested)
        {
            cli.Error.WriteLine(Latest() is { } latest
                ? $"llmft {verb}: interrupted; checkpoint saved to {latest}. Run the same command with --resume to continue."
                : $"llmft {verb}: interrupted before the first step; nothing to resume.");
            result = default!;
            return false;
        }
    }

    /// <summary>Removes the checkpoints once the finished model is saved.</summary>
    public void Delete()
    {
        if (Directory.Exists(Root)) Directory.Delete(Root, recursive: true);
    }
}
