using LlmFineTune.Training.Checkpoints;
using Microsoft.Extensions.Logging;
using static TorchSharp.torch;

namespace LlmFineTune.Training.Callbacks;

/// <summary>
/// Keeps a copy of the weights of the best evaluation and puts it back when the run ends
/// (<see cref="TrainerOptions.RestoreBestWeights"/>); the trainer adds it from the options. A checkpoint
/// carries the copy as <c>training_state/best_model.bin</c>.
/// </summary>
internal sealed class BestWeights(string metric, ILogger logger) : ICheckpointedCallback, IDisposable
{
    public const string FileName = "best_model.bin";

    private Dictionary<string, Tensor>? weights;

    public void OnEvaluate(TrainerState state, TrainerControl control)
    {
        // the trainer moves BestStep to the current step exactly when this evaluation improved on the best
        if (state.BestStep != state.Step) return;
        Replace(CheckpointFiles.Snapshot(state.Module));
    }

    public void OnTrainEnd(TrainerState state, TrainerControl control)
    {
        if (weights is null) return;
        CheckpointFiles.Restore(state.Module, weights);
        logger.LogInformation("Restored the weights of step {Step} ({Metric} = {Value}).", state.BestStep, metric, state.BestMetric);
    }

    public void WriteState(string stateDirectory)
    {
        if (weights is null) return;
        using var stream = new FileStream(Path.Combine(stateDirectory, FileName), FileMode.CreateNew, FileAccess.Write, FileShare.None, 1 << 16);
        using var writer = new BinaryWriter(stream, System.Text.Encoding.UTF8, leaveOpen: true);
        nn.Module.save_state_dict(writer, weights);
    }

    public void ReadState(string stateDirectory, nn.Module module)
    {
        string path = Path.Combine(stateDirectory, FileName);
        if (!File.Exists(path)) return;
        // loaded through the module, then copied out; the checkpoint's current weights are loaded over them afterwards
        CheckpointFiles.LoadWeights(path, module);
        Replace(CheckpointFiles.Snapshot(module));
    }

    private void Replace(Dictionary<string, Tensor>? snapshot)
    {
        if (weights is not null)
            foreach (var tensor in weights.Values) tensor.Dispose();
        weights = snapshot;
    }

    public void Dispose() => Replace(null);
}
