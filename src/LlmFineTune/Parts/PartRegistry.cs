namespace LlmFineTune.Parts;

/// <summary>
/// The parts of one role (backbones, heads, tokenizers, optimizers) by name and by type, so that saving finds a
/// part's name from its type and loading finds the part again from the name. A name and a type register once each:
/// two types under one name could not be told apart on load, and one type under two names would save ambiguously.
/// </summary>
/// <remarks>Thread-safe: parts are usually registered at start-up and looked up from any thread.</remarks>
/// <param name="role">The role in messages (<c>head</c>).</param>
/// <param name="registerCall">The call that registers a part of this role, for messages (<c>ModelParts.Default.AddHead&lt;THead, TOptions&gt;("{0}", create, options)</c>; <c>{0}</c> is the name).</param>
internal sealed class PartRegistry<TPart>(string role, string registerCall) where TPart : class, IPart
{
    private readonly Dictionary<string, TPart> byName = new(StringComparer.Ordinal);
    private readonly Dictionary<Type, TPart> byType = [];
    private readonly object gate = new();

    /// <summary>The registered names, in registration order of the first ones (the built-ins).</summary>
    public IReadOnlyList<string> Names
    {
        get { lock (gate) return [.. byName.Keys]; }
    }

    /// <summary>Adds a part.</summary>
    /// <exception cref="ArgumentException">The name is empty, or the name or the type is registered already; the message names the other part.</exception>
    public void Add(TPart part)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(part.Name, "name");
        lock (gate)
        {
            if (byName.TryGetValue(part.Name, out var sameName))
                throw new ArgumentException($"A {role} named '{part.Name}' is already registered ({sameName.Type.FullName}); {part.Type.FullName} needs another name.", "name");
            if (byType.TryGetValue(part.Type, out var sameType))
                throw new ArgumentException($"{part.Type.FullName} is already registered as the {role} '{sameType.Name}'; a type saves under one name, so register it once.", "name");
            byName.Add(part.Name, part);
            byType.Add(part.Type, part);
        }
    }

    /// <summary>The part saved as <paramref name="name"/>, or null.</summary>
    public TPart? Find(string name)
    {
        lock (gate) return byName.GetValueOrDefault(name);
    }

    /// <summary>The part an object of exactly this type saves as, or null.</summary>
    public TPart? Find(Type type)
    {
        lock (gate) return byType.GetValueOrDefault(type);
    }

    /// <summary>The part a file names.</summary>
    /// <param name="name">The name read from the file.</param>
    /// <param name="where">The file and field it was read from (<c>/m/config.json llmfinetune.head</c>).</param>
    /// <exception cref="InvalidDataException">Nothing is registered under the name; the message names the file, the registered names and the call that registers one.</exception>
    public TPart Require(string name, string where) =>
        Find(name) ?? throw new InvalidDataException(
            $"{where} is '{name}', but no {role} is registered under that name (registered: {string.Join(", ", Names)}). "
            + $"Register the {role} before loading: {string.Format(System.Globalization.CultureInfo.InvariantCulture, registerCall, name)}.");

    /// <summary>The part an object saves as.</summary>
    /// <exception cref="NotSupportedException">Its type is not registered; the message names the call that registers it.</exception>
    public TPart Require(object part) =>
        Find(part.GetType()) ?? throw new NotSupportedException(
            $"The {role} {part.GetType().FullName} is not registered, so a saved model could not name it and loading could not rebuild it. "
            + $"Register it once before saving and loading: {string.Format(System.Globalization.CultureInfo.InvariantCulture, registerCall, "NAME")}.");
}
