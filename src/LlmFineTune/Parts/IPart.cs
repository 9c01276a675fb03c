namespace LlmFineTune.Parts;

/// <summary>A registered part: the name a saved model records and the type it saves.</summary>
internal interface IPart
{
    /// <summary>The name written to (and looked up from) <c>config.json</c>.</summary>
    string Name { get; }

    /// <summary>The exact runtime type saved under <see cref="Name"/>.</summary>
    Type Type { get; }
}
