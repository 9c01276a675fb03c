using System.Diagnostics;
using LlmFineTune.Build;

namespace LlmFineTune.Tests.Runtime;

[TestClass]
public sealed class ElfVersionNeedsTests
{
    private const string Glibcxx332 = "GLIBCXX_3.4.32";
    private string folder = "";

    public TestContext TestContext { get; set; } = null!;

    [TestInitialize]
    public void CreateFolder() => folder = Directory.CreateTempSubdirectory("llmft-elf-").FullName;

    [TestCleanup]
    public void DeleteFolder() => Directory.Delete(folder, recursive: true);

    private static string OutputCopy => Path.Combine(AppContext.BaseDirectory, "runtimes", "linux-x64", "native", "libLibTorchSharp.so");

    [TestMethod]
    public void BuildOutput_LibTorchSharp_HasWeakGlibcxx332Need()
    {
        var needs = ElfVersionNeeds.ReadNeeds(File.ReadAllBytes(OutputCopy), OutputCopy);

        var need = needs.Single(n => n.Version == Glibcxx332);
        Assert.AreEqual("libstdc++.so.6", need.Library);
        Assert.IsTrue(need.IsWeak, "the build target should have weakened the need in the test's own output");
        Assert.IsTrue(needs.Where(n => n.Version != Glibcxx332).All(n => !n.IsWeak), "no other need may change");
    }

    [TestMethod]
    public void Weaken_StrongNeed_PatchesOnceThenReportsAlreadyWeak()
    {
        string copy = StrongCopy();

        Assert.AreEqual(WeakenOutcome.Patched, ElfVersionNeeds.Weaken(copy, Glibcxx332));
        Assert.AreEqual(WeakenOutcome.AlreadyWeak, ElfVersionNeeds.Weaken(copy, Glibcxx332));
        Assert.AreEqual(WeakenOutcome.NotNeeded, ElfVersionNeeds.Weaken(copy, "GLIBCXX_9.9.9"));
        Assert.IsTrue(ElfVersionNeeds.ReadNeeds(File.ReadAllBytes(copy), copy).Single(n => n.Version == Glibcxx332).IsWeak);
    }

    [TestMethod]
    public void Weaken_HardLinkedFile_LeavesTheOtherLinkUntouched()
    {
        string original = StrongCopy();
        string link = Path.Combine(folder, "linked.so");
        Run("ln", original, link);
        byte[] before = File.ReadAllBytes(original);

        Assert.AreEqual(WeakenOutcome.Patched, ElfVersionNeeds.Weaken(link, Glibcxx332));

        CollectionAssert.AreEqual(before, File.ReadAllBytes(original), "the other hard link (think: the NuGet cache) must not change");
        Assert.IsTrue(ElfVersionNeeds.ReadNeeds(File.ReadAllBytes(link), link).Single(n => n.Version == Glibcxx332).IsWeak);
        Assert.AreEqual(0, Directory.GetFiles(folder, "*.tmp").Length, "no temporary file may be left behind");
    }

    [TestMethod]
    public void ReadNeeds_NotAnElfFile_ThrowsNamingTheFile()
    {
        string path = Path.Combine(folder, "fake.so");
        File.WriteAllText(path, new string('x', 200));

        var e = Assert.ThrowsExactly<InvalidDataException>(() => ElfVersionNeeds.Weaken(path, Glibcxx332));
        StringAssert.Contains(e.Message, path);
        StringAssert.Contains(e.Message, "not an ELF file");
    }

    [TestMethod]
    public void ReadNeeds_TruncatedElf_ThrowsInsteadOfReadingPastTheEnd()
    {
        string path = Path.Combine(folder, "truncated.so");
        File.WriteAllBytes(path, File.ReadAllBytes(OutputCopy)[..4096]);

        var e = Assert.ThrowsExactly<InvalidDataException>(() => ElfVersionNeeds.ReadNeeds(File.ReadAllBytes(path), path));
        StringAssert.Contains(e.Message, "outside the 4096-byte file");
    }

    [TestMethod]
    public void ReadDefinitions_SystemLibStdCxx_ListsGlibcxxVersions()
    {
        const string path = "/usr/lib/x86_64-linux-gnu/libstdc++.so.6";
        if (!File.Exists(path))
            Assert.Inconclusive($"{path} is not on this machine.");

        var versions = ElfVersionNeeds.ReadDefinitions(File.ReadAllBytes(path), path);

        CollectionAssert.Contains(versions, "GLIBCXX_3.4");
    }

    /// <summary>A copy of the output's library with the need made strong again, as TorchSharp ships it.</summary>
    private string StrongCopy()
    {
        string copy = Path.Combine(folder, "libLibTorchSharp.so");
        byte[] data = File.ReadAllBytes(OutputCopy);
        var need = ElfVersionNeeds.ReadNeeds(data, copy).Single(n => n.Version == Glibcxx332);
        data[need.FlagsOffset] &= unchecked((byte)~0x2);
        File.WriteAllBytes(copy, data);
        Assert.IsFalse(ElfVersionNeeds.ReadNeeds(File.ReadAllBytes(copy), copy).Single(n => n.Version == Glibcxx332).IsWeak);
        return copy;
    }

    private static void Run(string file, params string[] arguments)
    {
        using var process = Process.Start(new ProcessStartInfo(file, arguments) { RedirectStandardError = true })!;
        process.WaitForExit();
        Assert.AreEqual(0, process.ExitCode, process.StandardError.ReadToEnd());
    }
}
