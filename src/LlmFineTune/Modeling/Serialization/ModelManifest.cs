using System.Security.Cryptography;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace LlmFineTune.Modeling.Serialization;

/// <summary>
/// <c>llmfinetune_manifest.json</c>: which save a model directory's files come from. Written last, it
/// holds a save id and the size and SHA-256 of every file but <c>config.json</c>; <c>config.json</c>
/// carries the same id (in its <c>llmfinetune</c> section) instead of a hash, because editing it by hand
/// (renaming labels, say) is common practice with Hugging Face models. A directory whose files do not
/// match is refused as mixed; one without a manifest (saved before it existed, or by another tool) loads as before.
/// </summary>
internal static class ModelManifest
{
    /// <summary>The manifest's file name.</summary>
    public const string FileName = "llmfinetune_manifest.json";

    /// <summary>The key of the save id in the manifest and in config.json's <c>llmfinetune</c> section.</summary>
    public const string SaveIdKey = "save_id";

    private const int CurrentFormat = 1;

    /// <summary>Reads in a row that see a directory change under them before giving up.</summary>
    private const int MaxAttempts = 20;

    private static readonly JsonSerializerOptions Indented = new() { WriteIndented = true };

    /// <summary>Nested reads (a factory loading a classifier, which loads its encoder) are one read.</summary>
    [ThreadStatic]
    private static int readDepth;

    /// <summary>The outermost read's snapshot, which nested reads of the same directory share.</summary>
    [ThreadStatic]
    private static ModelDirectoryReader? current;

    /// <summary>
    /// Writes a model directory as a unit: <paramref name="write"/> fills a temporary sibling (and gets
    /// the save id to put in config.json), the manifest is added last, and the whole is swapped in.
    /// Files a user added to the old directory (not listed in its manifest) are carried over.
    /// </summary>
    /// <exception cref="IOException">The directory exists and holds something other than a model, or writing failed (the old directory is then unchanged).</exception>
    public static void Save(string directory, Action<string, string> write)
    {
        ArgumentException.ThrowIfNullOrEmpty(directory);
        RequireModelOrEmpty(directory);
        string saveId = Guid.NewGuid().ToString("N");
        try
        {
            AtomicDirectory.Replace(directory, staging =>
            {
                write(staging, saveId);
                Write(staging, saveId);
            }, carryOver: (old, name) => name is not (ModelDirectory.ConfigFileName or FileName) && !Listed(old).Contains(name));
        }
        catch (IOException e) when (e is not (FileNotFoundException or DirectoryNotFoundException))
        {
            throw new IOException($"{directory}: the model could not be saved ({e.Message}); the directory is unchanged. Free disk space or choose another directory.", e);
        }
    }

    /// <summary>
    /// Runs <paramref name="load"/> so that everything it reads comes from one save: checks the files
    /// against the manifest, loads, and loads again (disposing the first result) when a writer swapped
    /// the directory meanwhile. Each attempt reads through one <see cref="ModelDirectoryReader"/>, so
    /// <c>config.json</c> is parsed once however many steps of the load look at it.
    /// </summary>
    /// <exception cref="InvalidDataException">The directory mixes files of different saves.</exception>
    /// <exception cref="IOException">The directory changed during every one of many attempts.</exception>
    public static T Read<T>(string directory, Func<ModelDirectoryReader, T> load) where T : IDisposable
    {
        if (readDepth > 0) return load(current is { } outer && outer.Directory == directory ? outer : new ModelDirectoryReader(directory));
        readDepth++;
        try
        {
            for (int attempt = 1; ; attempt++)
            {
                AtomicDirectory.AwaitSwap(directory);
                string? saveId = SaveId(directory);
                var reader = current = new ModelDirectoryReader(directory);
                T result;
                try
                {
                    // The files' hashes are checked on another thread while the load reads them: hashing a 67 MB table
                    // took as long again as reading it.
                    var contents = Task.Run(Verify(reader, saveId));
                    try
                    {
                        result = load(reader);
                    }
                    catch (Exception) when (Faulted(contents))
                    {
                        // a load that failed on a mixed or changed file: the manifest's verdict says what happened
                        contents.GetAwaiter().GetResult();
                        throw;
                    }
                    try
                    {
                        contents.GetAwaiter().GetResult();
                    }
                    catch
                    {
                        result.Dispose();
                        throw;
                    }
                }
                catch (Exception) when (attempt < MaxAttempts && Changed(directory, saveId))
                {
                    continue;
                }
                if (!Changed(directory, saveId)) return result;
                result.Dispose();
                if (attempt >= MaxAttempts)
                    throw new IOException($"{directory} changed {MaxAttempts} times while it was being read: another process keeps saving into it. Load it once the saves are done.");
            }
        }
        finally
        {
            readDepth--;
            current = null;
        }
    }

    /// <summary>Refuses to replace a non-empty directory that holds no model: saving replaces the directory as a whole.</summary>
    private static void RequireModelOrEmpty(string directory)
    {
        if (!Directory.Exists(directory)) return;
        if (File.Exists(Path.Combine(directory, ModelDirectory.ConfigFileName)) || File.Exists(Path.Combine(directory, FileName))) return;
        string? first = Directory.EnumerateFileSystemEntries(directory).Select(Path.GetFileName).FirstOrDefault();
        if (first is not null)
            throw new IOException($"{directory} is not empty (it holds '{first}') and holds no model (no {ModelDirectory.ConfigFileName}); saving would replace it as a whole. Save into a new or empty directory, or a model directory.");
    }

    private static void Write(string staging, string saveId)
    {
        var files = new JsonObject();
        foreach (string path in Directory.EnumerateFiles(staging).Order(StringComparer.Ordinal))
        {
            string name = Path.GetFileName(path);
            if (name == ModelDirectory.ConfigFileName) continue;
            files[name] = new JsonObject { ["size"] = new FileInfo(path).Length, ["sha256"] = Hash(path) };
        }
        var manifest = new JsonObject { ["format"] = CurrentFormat, [SaveIdKey] = saveId, ["files"] = files };
        AtomicFile.WriteAllText(Path.Combine(staging, FileName), manifest.ToJsonString(Indented));
    }

    /// <summary>The save id of the directory's manifest; null when it has none.</summary>
    private static string? SaveId(string directory)
    {
        string path = Path.Combine(directory, FileName);
        return File.Exists(path) ? JsonFiles.GetString(JsonFiles.ReadObject(path), SaveIdKey, path) : null;
    }

    /// <summary>Whether the directory now holds another save than <paramref name="saveId"/> (or cannot be read at all, which a swap can cause).</summary>
    private static bool Changed(string directory, string? saveId)
    {
        try
        {
            return SaveId(directory) != saveId;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return true;
        }
    }

    /// <summary>The files the old directory's manifest lists (empty without one): they belong to the old save and are not carried over.</summary>
    private static HashSet<string> Listed(string directory)
    {
        string path = Path.Combine(directory, FileName);
        if (!File.Exists(path) || JsonFiles.ReadObject(path)["files"] is not JsonObject files) return [];
        return files.Select(f => f.Key).ToHashSet(StringComparer.Ordinal);
    }

    /// <summary>Whether the task failed, once it has finished.</summary>
    private static bool Faulted(Task task)
    {
        task.ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing).GetAwaiter().GetResult();
        return task.IsFaulted;
    }

    /// <summary>Checks every file the manifest lists by name and size, and config.json's save id; returns the check of their contents (SHA-256), to run beside the load.</summary>
    /// <exception cref="InvalidDataException">A file differs from the save the manifest records (the returned check throws it for contents).</exception>
    private static Action Verify(ModelDirectoryReader reader, string? saveId)
    {
        if (saveId is null) return () => { };
        string directory = reader.Directory;
        string path = Path.Combine(directory, FileName);
        var manifest = JsonFiles.ReadObject(path);
        int format = JsonFiles.GetInt(manifest, "format", path);
        if (format != CurrentFormat)
            throw new InvalidDataException($"{path}: manifest format {format} is not supported (this version reads {CurrentFormat}). Load the model with the version that saved it.");
        string fix = $"The directory mixes files of different saves, or a file was changed after saving. Save the model again; if you changed the file on purpose, delete {FileName}.";
        if (manifest["files"] is not JsonObject files)
            throw new InvalidDataException($"{path}: field 'files' is missing or not an object.");
        var hashed = new List<(string File, string Hash)>();
        foreach (var (name, node) in files)
        {
            // Names come from a file on disk: only the directory's own files may be touched.
            if (name != Path.GetFileName(name) || name is "." or ".." || node is not JsonObject entry)
                throw new InvalidDataException($"{path}: lists '{name}', which is not a file of this directory. The manifest is corrupt; {fix}");
            long size = entry["size"] is JsonValue s && s.TryGetValue(out long v) ? v : throw new InvalidDataException($"{path}: files['{name}'].size must be an integer.");
            string hash = JsonFiles.GetString(entry, "sha256", $"{path} files['{name}']");
            string file = Path.Combine(directory, name);
            var info = new FileInfo(file);
            if (!info.Exists)
                throw new InvalidDataException($"{file}: missing, but save {saveId} wrote it. {fix}");
            // Checked before hashing, which would block on a pipe swapped in for the file.
            if (info.Length != size)
                throw new InvalidDataException($"{file}: has {info.Length:N0} bytes, but save {saveId} wrote {size:N0}. {fix}");
            hashed.Add((file, hash));
        }
        string configPath = reader.ConfigPath;
        string? configSave = reader.Section[SaveIdKey] is JsonValue id && id.TryGetValue(out string? text) ? text : null;
        if (configSave != saveId)
            throw new InvalidDataException($"{configPath}: written by {(configSave is null ? "another tool or version (it has no llmfinetune.save_id)" : "save " + configSave)}, but the other files by save {saveId}. {fix}");
        return () =>
        {
            foreach (var (file, hash) in hashed)
                if (!string.Equals(Hash(file), hash, StringComparison.OrdinalIgnoreCase))
                    throw new InvalidDataException($"{file}: this is not the file save {saveId} wrote (its SHA-256 differs). {fix}");
        };
    }

    private static string Hash(string path)
    {
        using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 20);
        return Convert.ToHexString(SHA256.HashData(stream)).ToLowerInvariant();
    }
}
