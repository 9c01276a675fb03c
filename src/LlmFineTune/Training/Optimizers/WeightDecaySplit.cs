using TorchSharp.Modules;

namespace LlmFineTune.Training.Optimizers;

/// <summary>
/// Splits each parameter group into the parameters that take weight decay and those exempt from it
/// (biases and normalisation weights: decaying them only hurts), keeping each group's learning rate.
/// </summary>
internal static class WeightDecaySplit
{
    /// <summary>Refuses a negative or non-finite weight decay, in words the CLI shows as they are (with the flag for the name).</summary>
    /// <exception cref="ArgumentOutOfRangeException">It is.</exception>
    public static void CheckDecay(double weightDecay)
    {
        if (!(weightDecay >= 0 && double.IsFinite(weightDecay)))
            throw new ArgumentOutOfRangeException(nameof(weightDecay), weightDecay, FormattableString.Invariant($"weightDecay must be 0 or more (was {weightDecay})."));
    }

    public static List<TGroup> Split<TGroup>(IReadOnlyList<ParameterGroup> groups, double learningRate, double weightDecay, Func<IReadOnlyList<Parameter>, double, double, TGroup> create)
    {
        ArgumentNullException.ThrowIfNull(groups);
        var result = new List<TGroup>();
        foreach (var group in groups)
        {
            double rate = learningRate * group.LearningRateMultiplier;
            var decayed = group.Parameters.Where(p => !IsExemptFromDecay(p.Name, p.Parameter)).Select(p => p.Parameter).ToList();
            var exempt = group.Parameters.Where(p => IsExemptFromDecay(p.Name, p.Parameter)).Select(p => p.Parameter).ToList();
            if (decayed.Count > 0) result.Add(create(decayed, rate, weightDecay));
            if (exempt.Count > 0) result.Add(create(exempt, rate, 0));
        }
        if (result.Count == 0)
            throw new ArgumentException("There are no parameters to optimise.", nameof(groups));
        return result;
    }

    public static bool IsExemptFromDecay(string name, Parameter parameter) =>
        parameter.dim() < 2 || name.EndsWith("bias", StringComparison.Ordinal);
}
