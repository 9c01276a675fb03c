// Reads and edits the GNU symbol-version tables of an ELF64 little-endian shared object.
// This one file is compiled twice: by MSBuild's RoslynCodeTaskFactory into the build task that
// weakens libLibTorchSharp.so's GLIBCXX_3.4.32 need in a consuming app's output, and into the
// LlmFineTune library (with LLMFT_LIBRARY defined) so that the runtime preflight can explain a
// failed load with the same reading of the file.
#nullable enable
using System;
using System.Collections.Generic;
using System.IO;
using System.Text;

namespace LlmFineTune.Build
{
    /// <summary>One entry of an ELF file's <c>.gnu.version_r</c> table: a version it needs from a library.</summary>
    internal sealed class ElfVersionNeed
    {
        public ElfVersionNeed(string library, string version, bool isWeak, long flagsOffset)
        {
            Library = library;
            Version = version;
            IsWeak = isWeak;
            FlagsOffset = flagsOffset;
        }

        public string Library { get; }
        public string Version { get; }
        public bool IsWeak { get; }
        /// <summary>File offset of the entry's 16-bit <c>vna_flags</c> field.</summary>
        public long FlagsOffset { get; }
    }

    /// <summary>What <see cref="ElfVersionNeeds.Weaken"/> did to a file.</summary>
    internal enum WeakenOutcome
    {
        Patched,
        AlreadyWeak,
        NotNeeded,
    }

    internal static class ElfVersionNeeds
    {
        private const uint SectionVersionNeed = 0x6ffffffe; // SHT_GNU_verneed
        private const uint SectionVersionDefinition = 0x6ffffffd; // SHT_GNU_verdef
        private const ushort VersionFlagWeak = 0x2; // VER_FLG_WEAK
        private const ushort MachineX86_64 = 62;

        /// <summary>Lists the versions an ELF file needs from other libraries.</summary>
        /// <exception cref="InvalidDataException">The file is not a well-formed x86-64 ELF64 object.</exception>
        public static List<ElfVersionNeed> ReadNeeds(byte[] data, string path)
        {
            var result = new List<ElfVersionNeed>();
            var sections = Sections(data, path);
            foreach (var section in sections)
            {
                if (section.Type != SectionVersionNeed) continue;
                var strings = StringTable(sections, path, section.Link);
                long offset = section.Offset;
                for (uint entry = 0; entry < section.Info; entry++)
                {
                    Require(data, path, offset, 16, "version-need entry");
                    ushort auxCount = U16(data, offset + 2);
                    string library = ReadString(data, path, strings, U32(data, offset + 4));
                    long aux = offset + U32(data, offset + 8);
                    for (int i = 0; i < auxCount; i++)
                    {
                        Require(data, path, aux, 16, "version-need aux entry");
                        ushort flags = U16(data, aux + 4);
                        string version = ReadString(data, path, strings, U32(data, aux + 8));
                        result.Add(new ElfVersionNeed(library, version, (flags & VersionFlagWeak) != 0, aux + 4));
                        uint nextAux = U32(data, aux + 12);
                        if (nextAux == 0) break;
                        aux += nextAux;
                    }
                    uint next = U32(data, offset + 12);
                    if (next == 0) break;
                    offset += next;
                }
            }
            return result;
        }

        /// <summary>Lists the version names an ELF library defines (its <c>.gnu.version_d</c> table).</summary>
        /// <exception cref="InvalidDataException">The file is not a well-formed x86-64 ELF64 object.</exception>
        public static List<string> ReadDefinitions(byte[] data, string path)
        {
            var result = new List<string>();
            var sections = Sections(data, path);
            foreach (var section in sections)
            {
                if (section.Type != SectionVersionDefinition) continue;
                var strings = StringTable(sections, path, section.Link);
                long offset = section.Offset;
                for (uint entry = 0; entry < section.Info; entry++)
                {
                    Require(data, path, offset, 20, "version-definition entry");
                    long aux = offset + U32(data, offset + 12);
                    Require(data, path, aux, 8, "version-definition aux entry");
                    result.Add(ReadString(data, path, strings, U32(data, aux)));
                    uint next = U32(data, offset + 16);
                    if (next == 0) break;
                    offset += next;
                }
            }
            return result;
        }

        /// <summary>
        /// Marks the need for <paramref name="version"/> weak in the file at <paramref name="path"/>.
        /// The edited bytes go to a new sibling file that is then renamed over the original, so a
        /// file that is a hard link into a package cache is replaced, never modified in place.
        /// </summary>
        /// <exception cref="InvalidDataException">The file is not a well-formed x86-64 ELF64 object.</exception>
        public static WeakenOutcome Weaken(string path, string version)
        {
            byte[] data = File.ReadAllBytes(path);
            ElfVersionNeed? need = ReadNeeds(data, path).Find(n => n.Version == version);
            if (need == null) return WeakenOutcome.NotNeeded;
            if (need.IsWeak) return WeakenOutcome.AlreadyWeak;

            ushort flags = (ushort)(U16(data, need.FlagsOffset) | VersionFlagWeak);
            data[need.FlagsOffset] = (byte)flags;
            data[need.FlagsOffset + 1] = (byte)(flags >> 8);

            string temporary = path + ".llmft-" + Guid.NewGuid().ToString("N") + ".tmp";
            try
            {
                File.WriteAllBytes(temporary, data);
                // rename(2) on Unix: the directory entry now names the new file; other links keep the old one.
                File.Replace(temporary, path, null);
            }
            finally
            {
                if (File.Exists(temporary)) File.Delete(temporary);
            }
            return WeakenOutcome.Patched;
        }

        private readonly struct Section
        {
            public Section(uint type, long offset, long size, uint link, uint info)
            {
                Type = type; Offset = offset; Size = size; Link = link; Info = info;
            }
            public uint Type { get; }
            public long Offset { get; }
            public long Size { get; }
            public uint Link { get; }
            public uint Info { get; }
        }

        private static List<Section> Sections(byte[] data, string path)
        {
            if (data.Length < 64 || data[0] != 0x7f || data[1] != (byte)'E' || data[2] != (byte)'L' || data[3] != (byte)'F')
                throw new InvalidDataException($"{path}: not an ELF file (bad magic number).");
            if (data[4] != 2 || data[5] != 1)
                throw new InvalidDataException($"{path}: expected a 64-bit little-endian ELF file (class {data[4]}, encoding {data[5]}).");
            ushort machine = U16(data, 0x12);
            if (machine != MachineX86_64)
                throw new InvalidDataException($"{path}: expected an x86-64 ELF file (e_machine {machine}).");
            long tableOffset = (long)U64(data, 0x28);
            ushort entrySize = U16(data, 0x3A), count = U16(data, 0x3C);
            if (entrySize < 64)
                throw new InvalidDataException($"{path}: section header entries of {entrySize} bytes are too small.");
            Require(data, path, tableOffset, (long)entrySize * count, "section header table");
            var sections = new List<Section>(count);
            for (int i = 0; i < count; i++)
            {
                long at = tableOffset + (long)i * entrySize;
                uint type = U32(data, at + 4);
                long offset = (long)U64(data, at + 0x18), size = (long)U64(data, at + 0x20);
                if (type != 8 /* SHT_NOBITS */) Require(data, path, offset, size, $"section {i}");
                sections.Add(new Section(type, offset, size, U32(data, at + 0x28), U32(data, at + 0x2C)));
            }
            return sections;
        }

        private static Section StringTable(List<Section> sections, string path, uint index)
        {
            if (index >= sections.Count)
                throw new InvalidDataException($"{path}: string table index {index} is outside the section table.");
            return sections[(int)index];
        }

        private static string ReadString(byte[] data, string path, Section table, uint offset)
        {
            if (offset >= table.Size)
                throw new InvalidDataException($"{path}: string offset {offset} is outside its table.");
            long start = table.Offset + offset, end = start;
            long limit = table.Offset + table.Size;
            while (end < limit && data[end] != 0) end++;
            return Encoding.ASCII.GetString(data, (int)start, (int)(end - start));
        }

        private static void Require(byte[] data, string path, long offset, long length, string what)
        {
            if (offset < 0 || length < 0 || offset > data.Length || length > data.Length - offset)
                throw new InvalidDataException($"{path}: the {what} at offset {offset} (+{length} bytes) lies outside the {data.Length}-byte file.");
        }

        private static ushort U16(byte[] d, long o) => (ushort)(d[o] | d[o + 1] << 8);
        private static uint U32(byte[] d, long o) => (uint)(d[o] | d[o + 1] << 8 | d[o + 2] << 16 | d[o + 3] << 24);
        private static ulong U64(byte[] d, long o) => U32(d, o) | (ulong)U32(d, o + 4) << 32;
    }

#if !LLMFT_LIBRARY
    /// <summary>
    /// MSBuild task: makes libLibTorchSharp.so's GLIBCXX_3.4.32 version need weak so that TorchSharp
    /// loads on glibc systems whose libstdc++ predates GCC 13 (Debian 12, Ubuntu 22.04). The only
    /// symbol behind that need, std::ios_base_library_init, is a link-time marker with no relocation.
    /// </summary>
    public sealed class WeakenLibTorchSharpGlibcxxNeed : Microsoft.Build.Utilities.Task
    {
        /// <summary>The copies of libLibTorchSharp.so in the app's output to patch.</summary>
        [Microsoft.Build.Framework.Required]
        public Microsoft.Build.Framework.ITaskItem[] Files { get; set; } = Array.Empty<Microsoft.Build.Framework.ITaskItem>();

        /// <summary>The version need to weaken.</summary>
        public string Version { get; set; } = "GLIBCXX_3.4.32";

        public override bool Execute()
        {
            foreach (var item in Files)
            {
                string path = item.GetMetadata("FullPath");
                if (!File.Exists(path)) continue;
                try
                {
                    var outcome = ElfVersionNeeds.Weaken(path, Version);
                    Log.LogMessage(Microsoft.Build.Framework.MessageImportance.Low, $"LlmFineTune: {path}: {Version} need {outcome}.");
                    if (outcome == WeakenOutcome.Patched)
                        Log.LogMessage(Microsoft.Build.Framework.MessageImportance.Normal, $"LlmFineTune: marked the {Version} need of {path} weak so that TorchSharp loads with older libstdc++.");
                }
                catch (Exception e) when (e is InvalidDataException || e is IOException || e is UnauthorizedAccessException)
                {
                    Log.LogError($"LlmFineTune: cannot patch {path}: {e.Message} Expected TorchSharp's x86-64 libLibTorchSharp.so; check the TorchSharp-cpu package, or set LlmFineTunePatchLibTorchSharp=false to skip this step.");
                }
            }
            return !Log.HasLoggedErrors;
        }
    }
#endif
}
