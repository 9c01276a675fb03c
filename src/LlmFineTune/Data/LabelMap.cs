using System.Collections;

namespace LlmFineTune.Data;

/// <summary>
/// An ordered, immutable set of class names; a class's id is its position. Saved with a model, so
/// ids stay the same after reload.
/// </summary>
public sealed class LabelMap : IReadOnlyList<string>
{
    private readonly string[] names;
    private readonly Dictionary<string, int> ids;

    /// <summary>Creates a label map with the given names in id order.</summary>
    /// <param name="names">Distinct, non-empty class names.</param>
    /// <exception cref="ArgumentException">A name is empty or repeated.</exception>
    public LabelMap(IEnumerable<string> names)
    {
        ArgumentNullException.ThrowIfNull(names);
        this.names = names.ToArray();
        ids = new Dictionary<string, int>(this.names.Length, StringComparer.Ordinal);
        for (int i = 0; i < this.names.Length; i++)
        {
            if (string.IsNullOrWhiteSpace(this.names[i]))
                throw new ArgumentException($"Label {i} is empty; every class needs a name.", nameof(names));
            if (!ids.TryAdd(this.names[i], i))
                throw new ArgumentException($"Label '{this.names[i]}' appears twice; class names must be distinct.", nameof(names));
        }
    }

    /// <summary>An empty map (regression tasks).</summary>
    public static LabelMap Empty { get; } = new([]);

    /// <summary>Builds a map from the labels seen in examples, sorted ordinally so the ids do not depend on example order.</summary>
    /// <param name="labels">Labels as they occur.</param>
    /// <returns>The map.</returns>
    public static LabelMap FromLabels(IEnumerable<string> labels) =>
        new(labels.Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal));

    /// <summary>The number of classes.</summary>
    public int Count => names.Length;

    /// <summary>The name of class <paramref name="id"/>.</summary>
    /// <param name="id">A class id.</param>
    public string this[int id] => names[id];

    /// <summary>Returns the id of a class name.</summary>
    /// <param name="name">The class name.</param>
    /// <returns>Its id.</returns>
    /// <exception cref="KeyNotFoundException">The name is not a class; the message lists the classes.</exception>
    public int IdOf(string name) =>
        ids.TryGetValue(name, out int id)
            ? id
            : throw new KeyNotFoundException($"Unknown label '{name}'. Known labels: {string.Join(", ", names.Take(50))}{(names.Length > 50 ? ", …" : "")}.");

    /// <summary>Looks up a class name without throwing.</summary>
    /// <param name="name">The class name.</param>
    /// <param name="id">Its id, when found.</param>
    /// <returns>Whether the name is a class.</returns>
    public bool TryGetId(string name, out int id) => ids.TryGetValue(name, out id);

    /// <inheritdoc />
    public IEnumerator<string> GetEnumerator() => ((IEnumerable<string>)names).GetEnumerator();

    IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();
}
