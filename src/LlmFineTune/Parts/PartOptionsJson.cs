using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.Json.Serialization;

namespace LlmFineTune.Parts;

/// <summary>
/// A part's options as JSON in <c>config.json</c>: public properties in snake_case, enums by name, as Hugging Face
/// writes its configs. Reading back starts from the type's defaults, so a key a file leaves out keeps its default.
/// </summary>
internal static class PartOptionsJson
{
    private static readonly JsonSerializerOptions Json = new()
    {
        PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
        Converters = { new JsonStringEnumConverter(namingPolicy: null, allowIntegerValues: false) },
    };

    /// <summary>The options as a JSON node.</summary>
    /// <exception cref="NotSupportedException">The options type cannot be written as JSON; the message names it.</exception>
    public static JsonNode? Write<TOptions>(TOptions options)
    {
        try
        {
            return JsonSerializer.SerializeToNode(options, Json);
        }
        catch (Exception e) when (e is NotSupportedException or InvalidOperationException or JsonException)
        {
            throw new NotSupportedException($"The options {typeof(TOptions).FullName} cannot be written as JSON ({e.Message}). Use a class or record of plain public properties.", e);
        }
    }

    /// <summary>Reads options written by <see cref="Write{TOptions}"/>; null (a file that predates them) reads as the defaults.</summary>
    /// <param name="node">The node, or null.</param>
    /// <param name="where">The file and field, for messages (<c>/m/config.json llmfinetune.head_options</c>).</param>
    /// <exception cref="InvalidDataException">A field has the wrong type or an unknown value; the message names the field.</exception>
    public static TOptions Read<TOptions>(JsonNode? node, string where)
    {
        if (node is not null and not JsonObject)
            throw new InvalidDataException($"{where}: expected an object (was {node.ToJsonString()}).");
        try
        {
            return (node ?? new JsonObject()).Deserialize<TOptions>(Json)
                ?? throw new InvalidDataException($"{where}: expected an object.");
        }
        catch (JsonException e)
        {
            string field = e.Path is { Length: > 2 } path ? path[2..] : "";
            string found = node is not null && field.Length > 0 && Find(node, field) is { } value ? $"{value.ToJsonString().Replace('"', '\'')} is not valid here. " : "";
            string names = EnumAt(typeof(TOptions), field) is { } type ? $"Valid: {string.Join(", ", Enum.GetNames(type))}. " : "";
            throw new InvalidDataException($"{where}{(field.Length > 0 ? "." + field : "")}: {found}{names}({e.Message})", e);
        }
        catch (Exception e) when (e is NotSupportedException or InvalidOperationException or ArgumentException or FormatException)
        {
            throw new InvalidDataException($"{where}: cannot be read as {typeof(TOptions).Name} ({e.Message}).", e);
        }
    }

    /// <summary>The node at a plain dotted path (<c>head.pooling</c>); null when the path has indexes or leads nowhere.</summary>
    private static JsonNode? Find(JsonNode node, string path)
    {
        JsonNode? current = node;
        foreach (string key in path.Split('.'))
            current = current is JsonObject o ? o[key] : null;
        return current;
    }

    /// <summary>The enum type of the property at a dotted snake_case path, to list its names; null for anything else.</summary>
    private static Type? EnumAt(Type type, string path)
    {
        Type? current = type;
        foreach (string key in path.Split('.'))
            current = current?.GetProperties().FirstOrDefault(p => Json.PropertyNamingPolicy!.ConvertName(p.Name) == key)?.PropertyType;
        current = current is null ? null : Nullable.GetUnderlyingType(current) ?? current;
        return current is { IsEnum: true } ? current : null;
    }
}
