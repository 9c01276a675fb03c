using System.Text.Json;
using System.Text.Json.Nodes;

namespace LlmFineTune;

/// <summary>Reads JSON settings files with errors that name the file and the field.</summary>
internal static class JsonFiles
{
    /// <summary>Most bytes a settings file may have; refuses absurd files before parsing them.</summary>
    private const long MaxBytes = 16 << 20;

    public static JsonObject ReadObject(string path)
    {
        var info = new FileInfo(path);
        if (!info.Exists)
            throw new FileNotFoundException($"{path}: file not found. Is this a model directory saved by LlmFineTune?", path);
        // A pipe, socket or device reports 0 bytes, and reading a pipe would block until something writes to it.
        if (info.Length == 0)
            throw new InvalidDataException($"{path}: the file is empty, or not a regular file (a pipe, socket or device). Expected a JSON object in a regular file.");
        if (info.Length > MaxBytes)
            throw new InvalidDataException($"{path}: {info.Length} bytes is too large for a settings file (limit {MaxBytes}).");
        return Parse(File.ReadAllText(path), path) as JsonObject
            ?? throw new InvalidDataException($"{path}: expected a JSON object.");
    }

    /// <summary>Parses a whole JSON document eagerly, so every syntax error and repeated key surfaces here as one exception type.</summary>
    /// <exception cref="InvalidDataException">The text is not valid JSON or an object repeats a key; the message names <paramref name="path"/>.</exception>
    public static JsonNode? Parse(string text, string path)
    {
        JsonParseCount.Note(path);
        JsonNode? root;
        try
        {
            root = JsonNode.Parse(text);
        }
        catch (JsonException e)
        {
            throw new InvalidDataException($"{path}: invalid JSON at line {e.LineNumber + 1}: {e.Message}", e);
        }
        try
        {
            // JsonNode builds objects lazily and throws ArgumentException on a repeated key at the first
            // lookup, deep inside whichever reader touches it; building them now keeps that out of the readers.
            Materialize(root);
        }
        catch (ArgumentException e)
        {
            throw new InvalidDataException($"{path}: a JSON object repeats a key ({e.Message}). Each key may appear once.", e);
        }
        return root;
    }

    private static void Materialize(JsonNode? node)
    {
        switch (node)
        {
            case JsonObject obj:
                foreach (var (_, child) in obj) Materialize(child);
                break;
            case JsonArray array:
                foreach (var child in array) Materialize(child);
                break;
        }
    }

    public static int GetInt(JsonObject json, string field, string path) => Get<int>(json, field, path, "an integer");

    public static double GetDouble(JsonObject json, string field, string path) => Get<double>(json, field, path, "a number");

    public static bool GetBool(JsonObject json, string field, string path) => Get<bool>(json, field, path, "true or false");

    public static string GetString(JsonObject json, string field, string path) => Get<string>(json, field, path, "a string");

    private static T Get<T>(JsonObject json, string field, string path, string expected)
    {
        var node = json[field] ?? throw new InvalidDataException($"{path}: field '{field}' is missing.");
        try
        {
            return node.GetValue<T>();
        }
        catch (Exception e) when (e is FormatException or InvalidOperationException)
        {
            throw new InvalidDataException($"{path}: field '{field}' must be {expected} (was {node.ToJsonString()}).", e);
        }
    }
}
