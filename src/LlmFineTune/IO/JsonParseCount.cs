namespace LlmFineTune;

/// <summary>
/// Counts, on the current thread, how often each JSON document (a file, or a safetensors header) is parsed while
/// one is started: a test proves that loading reads a model directory once without timing it.
/// </summary>
internal sealed class JsonParseCount : IDisposable
{
    [ThreadStatic]
    private static JsonParseCount? current;

    private readonly Dictionary<string, int> counts = new(StringComparer.Ordinal);

    private JsonParseCount()
    {
    }

    /// <summary>Starts counting on this thread until disposed.</summary>
    public static JsonParseCount Start() => current = new JsonParseCount();

    /// <summary>How often the document named <paramref name="path"/> (as <see cref="JsonFiles.Parse"/> was given it) was parsed.</summary>
    public int Of(string path) => counts.GetValueOrDefault(path);

    /// <summary>Records a parse; nothing when no count is running (the normal case).</summary>
    public static void Note(string path)
    {
        if (current is { } count)
            count.counts[path] = count.Of(path) + 1;
    }

    public void Dispose() => current = null;
}
