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
        if (info.Length > MaxBytes)
            throw new InvalidDataException($"{path}: {info.Length} bytes is too large for a settings file (limit {MaxBytes}).");
        try
        {
            return JsonNode.Parse(File.ReadAllText(path)) as JsonObject
                ?? throw new InvalidDataException($"{path}: expected a JSON object.");
        }
        catch (JsonException e)
        {
            throw new InvalidDataException($"{path}: invalid JSON at line {e.LineNumber + 1}: {e.Message}", e);
        }
    }

    public static int GetInt(JsonObject json, string field, string path)
    {
        var node = json[field] ?? throw new InvalidDataException($"{path}: field '{field}' is missing.");
        try
        {
            return node.GetValue<int>();
        }
        catch (Exception e) when (e is FormatException or InvalidOperationException)
        {
            throw new InvalidDataException($"{path}: field '{field}' must be an integer (was {node.ToJsonString()}).", e);
        }
    }

    public static string GetString(JsonObject json, string field, string path)
    {
        var node = json[field] ?? throw new InvalidDataException($"{path}: field '{field}' is missing.");
        try
        {
            return node.GetValue<string>();
        }
        catch (Exception e) when (e is FormatException or InvalidOperationException)
        {
            throw new InvalidDataException($"{path}: field '{field}' must be a string (was {node.ToJsonString()}).", e);
        }
    }
}
