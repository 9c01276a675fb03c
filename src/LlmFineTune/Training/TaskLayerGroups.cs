using LlmFineTune.Training.Optimizers;
using TorchSharp.Modules;

namespace LlmFineTune.Training;

/// <summary>How a task's layer groups become the optimizer's parameter groups.</summary>
internal static class TaskLayerGroups
{
    /// <summary>The task's layer groups with names, each parameter once, discriminative multipliers applied (head last at 1).</summary>
    public static List<ParameterGroup> Named(ITrainingTask task, double layerLearningRateDecay)
    {
        var names = new Dictionary<Parameter, string>(ReferenceEqualityComparer.Instance);
        foreach (var (name, parameter) in task.Module.named_parameters())
            names.TryAdd(parameter, name);
        var layers = task.LayerGroups();
        if (layers.Count == 0)
            throw new ArgumentException($"{task.GetType().Name}.LayerGroups() returned no groups.", nameof(task));
        var seen = new HashSet<Parameter>(ReferenceEqualityComparer.Instance);
        var groups = new List<List<(string, Parameter)>>();
        foreach (var layer in layers)
        {
            var group = new List<(string, Parameter)>();
            foreach (var parameter in layer)
            {
                if (!names.TryGetValue(parameter, out string? name))
                    throw new ArgumentException($"{task.GetType().Name}.LayerGroups() lists a parameter that is not part of its Module.", nameof(task));
                if (!seen.Add(parameter))
                    throw new ArgumentException($"{task.GetType().Name}.LayerGroups() lists parameter '{name}' twice.", nameof(task));
                group.Add((name, parameter));
            }
            groups.Add(group);
        }
        groups[^1].AddRange(names.Where(n => !seen.Contains(n.Key)).Select(n => (n.Value, n.Key)));
        return [.. groups.Select((g, i) => new ParameterGroup(g, Math.Pow(layerLearningRateDecay, -(groups.Count - 1 - i))))
            .Where(g => g.Parameters.Count > 0)];
    }
}
