using System.Text.Json.Nodes;
using LlmFineTune.Modeling.Serialization;
using LlmFineTune.Parts;

namespace LlmFineTune.Training.Optimizers;

/// <summary>
/// The optimizers a model directory can name: training records the optimizer's name and settings in
/// <c>config.json</c> (<c>llmfinetune.optimizer</c>), so that a run can be resumed or reproduced with the same one.
/// The built-in factories (<c>adamw</c>, <c>adam</c>, <c>sgd</c>, <c>rmsprop</c>, <c>adagrad</c>) are registered in
/// every instance; register yours once, before training.
/// </summary>
/// <remarks>The <see cref="Trainer"/> records through <see cref="Default"/>. An unregistered factory trains as well; only its type name is recorded. Thread-safe.</remarks>
public sealed class OptimizerParts
{
    private const string Key = "optimizer";

    private readonly PartRegistry<OptimizerPart> optimizers = new("optimizer", "OptimizerParts.Default.AddOptimizer<TFactory>(\"{0}\")");

    /// <summary>Creates a registry holding the built-in optimizers.</summary>
    public OptimizerParts()
    {
        AddOptimizer<AdamWFactory>("adamw");
        AddOptimizer<AdamFactory>("adam");
        AddOptimizer<SgdFactory>("sgd");
        AddOptimizer<RmsPropFactory>("rmsprop");
        AddOptimizer<AdagradFactory>("adagrad");
    }

    /// <summary>The process-wide registry the trainer records through.</summary>
    public static OptimizerParts Default { get; } = new();

    /// <summary>Registers an optimizer factory type under a name. Its settings are recorded as its public properties (snake_case JSON) and rebuilt through its public constructor, whose parameters are named after them.</summary>
    /// <typeparam name="TFactory">The factory; recorded when a trainer's factory is exactly this type.</typeparam>
    /// <param name="name">The name recorded in <c>config.json</c>.</param>
    /// <returns>This registry.</returns>
    /// <exception cref="ArgumentException">The name or the type is registered already (the message names the other one).</exception>
    public OptimizerParts AddOptimizer<TFactory>(string name) where TFactory : class, IOptimizerFactory
    {
        optimizers.Add(new OptimizerPart(name, typeof(TFactory),
            Options: factory => PartOptionsJson.Write((TFactory)factory),
            Create: (node, where) => PartOptionsJson.Read<TFactory>(node, where)));
        return this;
    }

    /// <summary>Rebuilds the optimizer factory that trained the model in a directory, from <c>config.json</c>'s <c>llmfinetune.optimizer</c>.</summary>
    /// <param name="directory">A model directory written after training (a saved classifier or a checkpoint).</param>
    /// <returns>The factory, with the recorded settings; null when the directory records none (saved before training, or by an older version).</returns>
    /// <exception cref="InvalidDataException">The recorded optimizer is not registered here (the message names it, the file and the call that registers it), or its settings are malformed.</exception>
    /// <exception cref="FileNotFoundException"><c>config.json</c> is missing.</exception>
    public IOptimizerFactory? Load(string directory)
    {
        ArgumentException.ThrowIfNullOrEmpty(directory);
        var reader = new ModelDirectoryReader(directory);
        if (reader.Section[Key] is not JsonObject record) return null;
        string where = $"{reader.ConfigPath}: {ModelDirectory.Section}.{Key}";
        if (record["name"] is null)
            throw new InvalidDataException($"{where}: the model was trained with {JsonFiles.GetString(record, "type", where)}, which was not registered, so its settings were not recorded. Register it before training: OptimizerParts.Default.AddOptimizer<TFactory>(\"NAME\").");
        return optimizers.Require(JsonFiles.GetString(record, "name", where), where + ".name").Create(record["options"], $"{reader.ConfigPath} {ModelDirectory.Section}.{Key}.options");
    }

    /// <summary>The record of a factory: its name, type and settings; only the type for an unregistered one.</summary>
    internal JsonObject Record(IOptimizerFactory factory)
    {
        var record = new JsonObject();
        if (optimizers.Find(factory.GetType()) is { } part)
        {
            record["name"] = part.Name;
            record["type"] = factory.GetType().FullName;
            record["options"] = part.Options(factory);
        }
        else record["type"] = factory.GetType().FullName;
        return record;
    }
}
