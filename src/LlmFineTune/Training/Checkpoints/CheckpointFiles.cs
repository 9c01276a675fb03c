using System.Runtime.InteropServices;
using System.Text.Json;
using System.Text.Json.Serialization;
using LlmFineTune.Training.Callbacks;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace LlmFineTune.Training.Checkpoints;

/// <summary>
/// Reads and writes a checkpoint directory. The weights are a model directory when the task can save one
/// (<see cref="IModelDirectoryTask"/>: a classifier's checkpoint loads with <c>TextClassifier.Load</c>),
/// else <c>model.bin</c> (TorchSharp's own tensor format, not pickle). Beside them, under
/// <c>training_state/</c>: the optimizer state, the torch RNG state, what built-in callbacks keep (the best
/// weights), and <c>trainer_state.json</c> (step, data position, history).
/// </summary>
internal static class CheckpointFiles
{
    public const string Model = "model.bin";
    public const string StateDirectory = "training_state";
    public const string Optimizer = StateDirectory + "/optimizer.bin";
    public const string Rng = StateDirectory + "/rng.bin";
    public const string Manifest = StateDirectory + "/trainer_state.json";

    /// <summary>Where the model directory is saved before its files move up into the checkpoint.</summary>
    private const string ModelStaging = "model-staging";

    private static readonly JsonSerializerOptions Json = new()
    {
        WriteIndented = true,
        PropertyNamingPolicy = JsonNamingPolicy.CamelCase,
        NumberHandling = JsonNumberHandling.AllowNamedFloatingPointLiterals,
    };

    /// <summary>Fills an empty directory with a checkpoint; the manifest comes last.</summary>
    public static void Write(string directory, ITrainingTask task, optim.Optimizer optimizer, IEnumerable<ICheckpointedCallback> callbacks, CheckpointManifest manifest)
    {
        var helper = AsHelper(optimizer);
        if (task is IModelDirectoryTask saves)
            WriteModelDirectory(directory, saves);
        else
            WriteFile(directory, Model, s => task.Module.save(s));
        string state = Path.Combine(directory, StateDirectory);
        Directory.CreateDirectory(state);
        WriteFile(directory, Optimizer, s =>
        {
            using var writer = new BinaryWriter(s, System.Text.Encoding.UTF8, leaveOpen: true);
            helper.save_state_dict(writer);
        });
        WriteFile(directory, Rng, s =>
        {
            using var rng = get_rng_state();
            s.Write(rng.data<byte>().ToArray());
        });
        foreach (var callback in callbacks)
            callback.WriteState(state);
        var sizes = Directory.EnumerateFiles(directory, "*", SearchOption.AllDirectories)
            .ToDictionary(path => Path.GetRelativePath(directory, path).Replace(Path.DirectorySeparatorChar, '/'), path => new FileInfo(path).Length, StringComparer.Ordinal);
        string json = JsonSerializer.Serialize(manifest with { Files = sizes, ModelDirectory = task is IModelDirectoryTask }, Json);
        File.WriteAllText(Path.Combine(directory, Manifest), json);
    }

    /// <summary>Reads and validates a checkpoint's manifest without touching the model.</summary>
    /// <exception cref="DirectoryNotFoundException">The directory does not exist.</exception>
    /// <exception cref="InvalidDataException">The checkpoint is incomplete or unreadable.</exception>
    public static CheckpointManifest ReadManifest(string directory)
    {
        if (!Directory.Exists(directory))
            throw new DirectoryNotFoundException($"{directory}: checkpoint directory not found. Check TrainerOptions.ResumeFrom.");
        string manifestPath = Path.Combine(directory, Manifest);
        if (!File.Exists(manifestPath))
            throw new InvalidDataException($"{directory}: incomplete checkpoint ({Manifest} is missing). Resume from an earlier checkpoint.");
        var manifest = ParseManifest(manifestPath);
        string root = Path.GetFullPath(directory) + Path.DirectorySeparatorChar;
        foreach (var (file, size) in manifest.Files)
        {
            // Names come from a file on disk: only the checkpoint's own files may be touched, never a path out of it.
            string path = Path.GetFullPath(Path.Combine(root, file));
            if (Path.IsPathRooted(file) || !path.StartsWith(root, StringComparison.Ordinal) || file == Manifest)
                throw new InvalidDataException($"{manifestPath}: lists '{file}', which is not a checkpoint file (only files inside {directory} are). The checkpoint is corrupt or was tampered with; resume from another.");
            var info = new FileInfo(path);
            if (!info.Exists || info.Length != size)
                throw new InvalidDataException($"{directory}: incomplete checkpoint ({file} is {(info.Exists ? $"{info.Length} bytes, expected {size}" : "missing")}). Resume from an earlier checkpoint.");
        }
        foreach (string required in new[] { manifest.ModelDirectory ? Modeling.Serialization.ModelDirectory.ConfigFileName : Model, Optimizer, Rng })
            if (!manifest.Files.ContainsKey(required))
                throw new InvalidDataException($"{manifestPath}: the checkpoint does not list {required}. Resume from an earlier checkpoint.");
        return manifest;
    }

    /// <summary>Loads the weights, optimizer and RNG state of a validated checkpoint, and the state of the callbacks that keep some.</summary>
    /// <exception cref="InvalidDataException">The weights do not fit the model.</exception>
    public static void Load(string directory, CheckpointManifest manifest, ITrainingTask task, optim.Optimizer optimizer, IEnumerable<ICheckpointedCallback> callbacks)
    {
        // callbacks may load their tensors through the module, so the checkpoint's current weights go in last
        foreach (var callback in callbacks)
            callback.ReadState(Path.Combine(directory, StateDirectory), task.Module);
        if (!manifest.ModelDirectory)
            LoadWeights(Path.Combine(directory, Model), task.Module);
        else if (task is IModelDirectoryTask loads)
            loads.LoadModel(directory);
        else
            throw new InvalidDataException($"{directory}: the checkpoint's weights are a model directory, which {task.GetType().Name} cannot load. Resume with the kind of task that wrote it.");
        using (var reader = new BinaryReader(File.OpenRead(Path.Combine(directory, Optimizer))))
            AsHelper(optimizer).load_state_dict(reader);
        using (var rng = tensor(File.ReadAllBytes(Path.Combine(directory, Rng))))
            set_rng_state(rng);
    }

    /// <summary>Detached copies of the module's parameters and buffers; the caller disposes them.</summary>
    public static Dictionary<string, Tensor> Snapshot(nn.Module module)
    {
        using var noGrad = no_grad();
        return module.state_dict().ToDictionary(p => p.Key, p => p.Value.detach().clone().DetachFromDisposeScope(), StringComparer.Ordinal);
    }

    /// <summary>Copies a snapshot back into the module's parameters and buffers.</summary>
    public static void Restore(nn.Module module, IReadOnlyDictionary<string, Tensor> snapshot)
    {
        using var noGrad = no_grad();
        foreach (var (name, target) in module.state_dict())
            target.copy_(snapshot[name]);
    }

    /// <summary>Copies the weights of another module of the same architecture (one loaded from <paramref name="origin"/>) into <paramref name="module"/>.</summary>
    /// <exception cref="InvalidDataException">A tensor is missing or has another shape.</exception>
    public static void CopyWeights(nn.Module module, nn.Module source, string origin)
    {
        var weights = source.state_dict();
        foreach (var (name, target) in module.state_dict())
        {
            if (!weights.TryGetValue(name, out var weight) || !weight.shape.SequenceEqual(target.shape))
                throw new InvalidDataException($"{origin}: the weights do not fit this model ({name} is {(weight is null ? "missing" : $"[{string.Join(", ", weight.shape)}], expected [{string.Join(", ", target.shape)}]")}). Resume with the same architecture the checkpoint was made with.");
        }
        Restore(module, weights);
    }

    /// <summary>Loads a <c>model.bin</c>-style file (TorchSharp's format) into the module.</summary>
    /// <exception cref="InvalidDataException">The weights do not fit the module.</exception>
    public static void LoadWeights(string path, nn.Module module)
    {
        try
        {
            using var stream = File.OpenRead(path);
            module.load(stream, strict: true);
        }
        catch (Exception e) when (e is ArgumentException or InvalidOperationException or EndOfStreamException or ExternalException)
        {
            throw new InvalidDataException($"{path}: the weights do not fit this model ({e.Message}). Resume with the same architecture the checkpoint was made with.", e);
        }
    }

    /// <summary>
    /// Saves the task's model directory into <paramref name="directory"/>. The model's own save replaces a directory as a
    /// unit through a sibling and a lock file beside it; made in a subdirectory and moved up, it leaves none of those in
    /// the checkpoint store.
    /// </summary>
    private static void WriteModelDirectory(string directory, IModelDirectoryTask task)
    {
        string staging = Path.Combine(directory, ModelStaging);
        task.SaveModel(staging);
        foreach (string file in Directory.EnumerateFiles(staging))
            File.Move(file, Path.Combine(directory, Path.GetFileName(file)));
        foreach (string sub in Directory.EnumerateDirectories(staging))
            Directory.Move(sub, Path.Combine(directory, Path.GetFileName(sub)));
        // what is left beside the staging directory is the save's lock file
        foreach (string leftover in Directory.EnumerateFiles(directory, "." + ModelStaging + "*"))
            File.Delete(leftover);
        Directory.Delete(staging);
    }

    private static CheckpointManifest ParseManifest(string path)
    {
        var node = JsonFiles.ReadObject(path);
        CheckpointManifest? manifest;
        try
        {
            manifest = node.Deserialize<CheckpointManifest>(Json);
        }
        catch (JsonException e)
        {
            throw new InvalidDataException($"{path}: invalid checkpoint state ({e.Message}).", e);
        }
        if (manifest is null || manifest.Format < CheckpointManifest.OldestReadableFormat || manifest.Format > CheckpointManifest.CurrentFormat)
            throw new InvalidDataException($"{path}: unsupported checkpoint format {manifest?.Format} (this version reads {CheckpointManifest.OldestReadableFormat} to {CheckpointManifest.CurrentFormat}). Resume with the version that wrote it, or train afresh.");
        return manifest;
    }

    private static void WriteFile(string directory, string file, Action<Stream> write)
    {
        using var stream = new FileStream(Path.Combine(directory, file), FileMode.CreateNew, FileAccess.Write, FileShare.None, 1 << 16);
        write(stream);
    }

    private static OptimizerHelper AsHelper(optim.Optimizer optimizer) =>
        optimizer as OptimizerHelper
        ?? throw new NotSupportedException($"Checkpoints need an optimizer that can save its state (a TorchSharp.Modules.OptimizerHelper); {optimizer.GetType().Name} is not one. Use a built-in optimizer factory, or train without a checkpoint store.");
}
