namespace LlmFineTune.Serving;

/// <summary>
/// A <see cref="TextClassificationService"/> refused a request because <see cref="MicroBatchingOptions.QueueCapacity"/>
/// requests were already waiting. The request was not queued; retry later (a web host answers 429 Too Many Requests).
/// </summary>
public sealed class ClassifierOverloadedException : Exception
{
    /// <summary>Creates the exception for a full queue.</summary>
    /// <param name="classifier">The served classifier's name.</param>
    /// <param name="capacity">The queue's capacity.</param>
    public ClassifierOverloadedException(string classifier, int capacity)
        : base($"Text classifier '{classifier}' is overloaded: {capacity} requests are already waiting (MicroBatchingOptions.QueueCapacity). Retry later, or raise QueueCapacity or MaxBatchSize.")
    {
        Classifier = classifier;
        Capacity = capacity;
    }

    /// <summary>The served classifier's name.</summary>
    public string Classifier { get; }

    /// <summary>The queue's capacity when the request was refused.</summary>
    public int Capacity { get; }
}
