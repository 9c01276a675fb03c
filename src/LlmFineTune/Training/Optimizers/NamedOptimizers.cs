namespace LlmFineTune.Training.Optimizers;

/// <summary>
/// The built-in optimizers by name (<c>adamw</c>, <c>adam</c>, <c>sgd</c>, <c>rmsprop</c>, <c>adagrad</c>), each with the one set of
/// hyperparameters the library, <c>AddLlmFineTune</c> and <c>llmft --optimizer</c> all use.
/// </summary>
public static class NamedOptimizers
{
    /// <summary>Momentum of the named <c>sgd</c>: plain SGD (<see cref="SgdFactory"/>'s own default, 0) crawls on the bag's sparse, noisy gradients, and 0.9 is the usual choice.</summary>
    public const double SgdMomentum = 0.9;

    internal const string AdamW = "adamw", Adam = "adam", Sgd = "sgd", RmsProp = "rmsprop", Adagrad = "adagrad";

    /// <summary>The names <see cref="Create"/> accepts.</summary>
    public static IReadOnlyList<string> Names { get; } = [AdamW, Adam, Sgd, RmsProp, Adagrad];

    /// <summary>The optimizer of a name, with its constructor's defaults (momentum <see cref="SgdMomentum"/> for <c>sgd</c>).</summary>
    /// <param name="name">One of <see cref="Names"/>.</param>
    /// <param name="weightDecay">Weight decay; null keeps the optimizer's default (0.01 for <c>adamw</c>, 0 otherwise).</param>
    /// <returns>A new factory.</returns>
    /// <exception cref="ArgumentException">Unknown name (the message lists the known ones).</exception>
    /// <exception cref="ArgumentOutOfRangeException">The weight decay is negative.</exception>
    public static IOptimizerFactory Create(string name, double? weightDecay = null)
    {
        ArgumentNullException.ThrowIfNull(name);
        return name switch
        {
            AdamW => weightDecay is { } d ? new AdamWFactory(weightDecay: d) : new AdamWFactory(),
            Adam => new AdamFactory(weightDecay: weightDecay ?? 0),
            Sgd => new SgdFactory(momentum: SgdMomentum, weightDecay: weightDecay ?? 0),
            RmsProp => new RmsPropFactory(weightDecay: weightDecay ?? 0),
            Adagrad => new AdagradFactory(weightDecay: weightDecay ?? 0),
            _ => throw new ArgumentException($"Unknown optimizer '{name}'. Known: {string.Join(", ", Names)}.", nameof(name)),
        };
    }
}
