using System.Runtime.InteropServices;
using System.Text.Json;
using System.Text.Json.Serialization;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace LlmFineTune.Training.Checkpoints;

/// <summary>
/// Reads and writes a checkpoint directory: <c>model.bin</c> (TorchSharp's own tensor format, not
/// pickle), and under <c>training_state/</c> the optimizer state, the torch RNG state, the best
/// weights when kept, and <c>trainer_state.json</c> (step, data position, history).
/// </summary>
internal static class CheckpointFiles
{
    public const string Model = "model.bin";
    public const string StateDirectory = "training_state";
    public const string Optimizer = StateDirectory + "/optimizer.bin";
    public const string Rng = StateDirectory + "/rng.bin";
    public const string BestModel = StateDirectory + "/best_model.bin";
    public const string Manifest = StateDirectory + "/trainer_state.json";

    private static readonly string[] Known = [Model, Optimizer, Rng, BestModel];

    private static readonly JsonSerializerOptions Json = new()
    {
        WriteIndented = true,
        PropertyNamingPolicy = JsonNamingPolicy.CamelCase,
        NumberHandling = JsonNumberHandling.AllowNamedFloatingPointLiterals,
    };

    public static void Write(string directory, nn.Module module, optim.Optimizer optimizer, IReadOnlyDictionary<string, Tensor>? bestWeights, CheckpointManifest manifest)
    {
        var helper = AsHelper(optimizer);
        Directory.CreateDirectory(Path.Combine(directory, StateDirectory));
        var sizes = new Dictionary<string, long>(StringComparer.Ordinal);
        WriteFile(directory, Model, sizes, s => module.save(s));
        WriteFile(directory, Optimizer, sizes, s =>
        {
            using var writer = new BinaryWriter(s, System.Text.Encoding.UTF8, leaveOpen: true);
            helper.save_state_dict(writer);
        });
        WriteFile(directory, Rng, sizes, s =>
        {
            using var state = get_rng_state();
            s.Write(state.data<byte>().ToArray());
        });
        if (bestWeights is not null)
            WriteFile(directory, BestModel, sizes, s =>
            {
                using var writer = new BinaryWriter(s, System.Text.Encoding.UTF8, leaveOpen: true);
                nn.Module.save_state_dict(writer, bestWeights.ToDictionary(p => p.Key, p => p.Value));
            });
        string json = JsonSerializer.Serialize(manifest with { Files = sizes, HasBestWeights = bestWeights is not null }, Json);
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
        foreach (var (file, size) in manifest.Files)
        {
            // Names come from a file on disk: only the checkpoint's own files may be touched, never a path out of it.
            if (!Known.Contains(file))
                throw new InvalidDataException($"{manifestPath}: lists '{file}', which is not a checkpoint file (known: {string.Join(", ", Known)}). The checkpoint is corrupt or was tampered with; resume from another.");
            var info = new FileInfo(Path.Combine(directory, file));
            if (!info.Exists || info.Length != size)
                throw new InvalidDataException($"{directory}: incomplete checkpoint ({file} is {(info.Exists ? $"{info.Length} bytes, expected {size}" : "missing")}). Resume from an earlier checkpoint.");
        }
        foreach (string required in new[] { Model, Optimizer, Rng })
            if (!manifest.Files.ContainsKey(required))
                throw new InvalidDataException($"{manifestPath}: the checkpoint does not list {required}. Resume from an earlier checkpoint.");
        return manifest;
    }

    /// <summary>Loads the model, optimizer and RNG state of a validated checkpoint; returns the best weights when saved (caller disposes).</summary>
    /// <exception cref="InvalidDataException">The weights do not fit the model.</exception>
    public static Dictionary<string, Tensor>? Load(string directory, CheckpointManifest manifest, nn.Module module, optim.Optimizer optimizer)
    {
        Dictionary<string, Tensor>? best = null;
        if (manifest.HasBestWeights)
        {
            // Load the best weights through the module, copy them out, then load the current ones over them.
            Load(directory, BestModel, module);
            best = Snapshot(module);
        }
        Load(directory, Model, module);
        using (var reader = new BinaryReader(File.OpenRead(Path.Combine(directory, Optimizer))))
            AsHelper(optimizer).load_state_dict(reader);
        using (var rng = tensor(File.ReadAllBytes(Path.Combine(directory, Rng))))
            set_rng_state(rng);
        return best;
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

    private static void Load(string directory, string file, nn.Module module)
    {
        string path = Path.Combine(directory, file);
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
        if (manifest is null || manifest.Format != CheckpointManifest.CurrentFormat)
            throw new InvalidDataException($"{path}: unsupported checkpoint format {manifest?.Format} (this version reads {CheckpointManifest.CurrentFormat}).");
        return manifest;
    }

    private static void WriteFile(string directory, string file, Dictionary<string, long> sizes, Action<Stream> write)
    {
        string path = Path.Combine(directory, file);
        using (var stream = new FileStream(path, FileMode.CreateNew, FileAccess.Write, FileShare.None, 1 << 16))
            write(stream);
        sizes[file] = new FileInfo(path).Length;
    }

    private static OptimizerHelper AsHelper(optim.Optimizer optimizer) =>
        optimizer as OptimizerHelper
        ?? throw new NotSupportedException($"Checkpoints need an optimizer that can save its state (a TorchSharp.Modules.OptimizerHelper); {optimizer.GetType().Name} is not one. Use a built-in optimizer factory, or train without a checkpoint store.");
}
