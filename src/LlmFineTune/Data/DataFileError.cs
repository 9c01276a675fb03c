namespace LlmFineTune.Data;

/// <summary>
/// Builds the exception for a data-file mistake the user can fix. Every loader and reader throws
/// <see cref="InvalidDataException"/> (the project's one type for bad files) with a message that
/// starts with "file:line:" and ends with the fix; <c>Data["Line"]</c> and <c>Data["Reason"]</c> carry the details.
/// </summary>
internal static class DataFileError
{
    public static InvalidDataException Create(string path, long line, SkipReason reason, string message, Exception? inner = null)
    {
        var exception = new InvalidDataException(line > 0 ? $"{path}:{line}: {message}" : $"{path}: {message}", inner);
        exception.Data["Path"] = path;
        exception.Data["Line"] = line;
        exception.Data["Reason"] = reason.ToString();
        return exception;
    }
}
