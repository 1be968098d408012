using System.Diagnostics;
using EsDr.Infra.Config;

namespace EsDr.Infra.Tests.Config;

/// <summary>
/// Stack files nobody should write, read without a crash, a hang or gigabytes of memory: each is refused with
/// the file (and where it can, the line and column) named. The reproducers of issue 9 are named after it.
/// </summary>
public sealed class HostileStackFileTests : IDisposable
{
    private readonly string dir = Directory.CreateTempSubdirectory("esdr-hostile-").FullName;

    public void Dispose() => Directory.Delete(dir, recursive: true);

    private static InvalidConfigException Refused(string yaml) =>
        Assert.Throws<InvalidConfigException>(() => StackFile.Parse(yaml, "x", "es-dr", "Pulumi.x.yaml"));

    private static string OnlyError(InvalidConfigException e) => Assert.Single(e.Errors).ToString();

    private string Write(string name, string text)
    {
        var path = Path.Combine(dir, name);
        File.WriteAllText(path, text);
        return path;
    }

    /// <summary>Runs a read that must neither hang nor take long, whatever the file is.</summary>
    private static Exception? LoadWithin(string path, TimeSpan limit)
    {
        var load = Task.Run(() => StackFile.Load(path, "es-dr"));
        Assert.True(Task.WaitAny([load], limit) == 0, $"reading {path} did not finish within {limit}");
        return load.Exception?.InnerException;
    }

    [Fact]
    public void Parse_RecursiveAlias_IsRefusedWithItsLineInsteadOfOverflowingTheStack()
    {
        var error = OnlyError(Refused("config:\n  es-dr:tags: &a\n    x: *a\n"));

        Assert.StartsWith("Pulumi.x.yaml:3:8: ", error, StringComparison.Ordinal);
        Assert.Contains("*a", error, StringComparison.Ordinal);
        Assert.Contains("recursive", error, StringComparison.Ordinal);
    }

    [Fact]
    public void Parse_DeepNesting_IsRefusedAtTheDepthLimitInsteadOfOverflowingTheStack()
    {
        var yaml = "config:\n  es-dr:tags: " + new string('[', 100_000) + new string(']', 100_000) + "\n";

        var error = OnlyError(Refused(yaml));

        Assert.StartsWith("Pulumi.x.yaml:2:", error, StringComparison.Ordinal);
        Assert.Contains($"deeper than {StackFileLimits.MaxDepth} levels", error, StringComparison.Ordinal);
    }

    [Fact]
    public void Parse_NestingAtTheDepthLimit_IsRead()
    {
        // The root map and config are two levels; a value may nest the rest.
        var depth = StackFileLimits.MaxDepth - 2;
        var yaml = "config:\n  es-dr:tags: " + new string('[', depth) + new string(']', depth) + "\n";

        var file = StackFile.Parse(yaml, "x", "es-dr");

        Assert.StartsWith("[[[", file.Config["es-dr:tags"], StringComparison.Ordinal);
    }

    [Fact]
    public void Parse_BillionLaughs_IsRefusedAtTheExpansionLimitQuickly()
    {
        var yaml = "config:\n  a: &a [x, x, x, x, x, x, x, x, x, x]\n" + string.Concat(Enumerable.Range(0, 9).Select(i =>
            $"  {(char)('b' + i)}: &{(char)('b' + i)} [{string.Join(", ", Enumerable.Repeat($"*{(char)('a' + i)}", 10))}]\n"));
        var clock = Stopwatch.StartNew();

        var error = OnlyError(Refused(yaml));

        Assert.Contains($"more than {StackFileLimits.MaxValues} values", error, StringComparison.Ordinal);
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(5), $"took {clock.Elapsed}");
    }

    [Fact]
    public void Parse_AliasesOfLongText_AreRefusedAtTheTextLimit()
    {
        var yaml = $"config:\n  a: &a \"{new string('x', 100_000)}\"\n  b: [{string.Join(", ", Enumerable.Repeat("*a", 20))}]\n";

        var error = OnlyError(Refused(yaml));

        Assert.Contains("more than 1 MiB of text", error, StringComparison.Ordinal);
    }

    [Fact]
    public void Parse_OrdinaryAliases_AreExpanded()
    {
        var file = StackFile.Parse("config:\n  es-dr:tags: &t {team: search}\n  es-dr:x: *t\n", "x", "es-dr");

        Assert.Equal("""{"team":"search"}""", file.Config["es-dr:x"]);
    }

    [Fact]
    public void Parse_ComplexKey_IsRefusedWithItsLine()
    {
        var error = OnlyError(Refused("config:\n  es-dr:namePrefix: dev\n  ? [a, b]\n  : c\n"));

        Assert.StartsWith("Pulumi.x.yaml:3:5: ", error, StringComparison.Ordinal);
        Assert.Contains("a key must be a string, got a list", error, StringComparison.Ordinal);
    }

    [Fact]
    public void Parse_DuplicateKey_IsRefusedWithItsLine()
    {
        var error = OnlyError(Refused("config:\n  es-dr:namePrefix: dev\n  es-dr:namePrefix: prod\n"));

        Assert.StartsWith("Pulumi.x.yaml:3:3: ", error, StringComparison.Ordinal);
        Assert.Contains("'es-dr:namePrefix' is given twice", error, StringComparison.Ordinal);
    }

    [Fact]
    public void Parse_TabIndentation_ErrorNamesLineAndColumn()
    {
        var error = OnlyError(Refused("config:\n  es-dr:namePrefix: dev\n\tes-dr:activeRegion: fra\n"));

        Assert.StartsWith("Pulumi.x.yaml:3:1: is not valid YAML: ", error, StringComparison.Ordinal);
        Assert.Contains("tab", error, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(": {\n>")]
    [InlineData("- {\né")]
    [InlineData("!!]")]
    [InlineData("...\0")]
    public void Parse_InputTheYamlReaderItselfChokesOn_IsRefusedAsInvalidYaml(string yaml)
    {
        // Found by the fuzz suite: YamlDotNet throws InvalidOperationException or ArgumentException, not YamlException, here.
        var error = OnlyError(Refused(yaml));

        Assert.Matches(@"^Pulumi\.x\.yaml:\d+:\d+: is not valid YAML: ", error);
    }

    [Fact]
    public void Parse_LoneSurrogateEscape_IsRefusedWithItsLine()
    {
        var error = OnlyError(Refused("config:\n  es-dr:namePrefix: \"a\\ud800b\"\n"));

        Assert.StartsWith("Pulumi.x.yaml:2:", error, StringComparison.Ordinal);
        Assert.Contains("surrogate", error, StringComparison.Ordinal);
    }

    [Fact]
    public void Load_FileOverTheSizeLimit_IsRefusedBeforeItIsParsed()
    {
        var path = Path.Combine(dir, "Pulumi.big.yaml");
        using (var big = File.Create(path))
        {
            var line = "    k: vvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvv\n"u8.ToArray();
            big.Write("config:\n  es-dr:tags:\n"u8);
            for (var written = 0; written < 50 << 20; written += line.Length) big.Write(line);
        }
        var clock = Stopwatch.StartNew();

        var error = Assert.IsType<InvalidConfigException>(LoadWithin(path, TimeSpan.FromSeconds(30)));

        Assert.Equal("Pulumi.big.yaml: is larger than 1 MiB, the limit for a stack file", OnlyError(error));
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(5), $"took {clock.Elapsed}");
    }

    [Fact]
    public void Load_Fifo_IsRefusedWithoutWaitingForAWriter()
    {
        var fifo = Path.Combine(dir, "Pulumi.fifo.yaml");
        using (var mkfifo = Process.Start("mkfifo", [fifo])) mkfifo.WaitForExit();

        var error = Assert.IsType<ConfigFileUnreadableException>(LoadWithin(fifo, TimeSpan.FromSeconds(10)));

        Assert.Equal($"{fifo}: is not a regular file (a FIFO); name a Pulumi.<stack>.yaml file", error.Message);
    }

    [Fact]
    public void Load_DevZero_IsRefusedWithoutReadingIt()
    {
        var error = Assert.IsType<ConfigFileUnreadableException>(LoadWithin("/dev/zero", TimeSpan.FromSeconds(10)));

        Assert.Equal("/dev/zero: is not a regular file (a character device); name a Pulumi.<stack>.yaml file", error.Message);
    }

    [Fact]
    public void Load_Directory_SaysItIsADirectory()
    {
        var error = Assert.IsType<ConfigFileUnreadableException>(LoadWithin(dir, TimeSpan.FromSeconds(10)));

        Assert.Equal($"{dir}: is a directory; name a Pulumi.<stack>.yaml file", error.Message);
    }

    [Fact]
    public void Load_MissingFile_SaysItDoesNotExist()
    {
        var path = Path.Combine(dir, "Pulumi.nope.yaml");

        var error = Assert.IsType<ConfigFileUnreadableException>(LoadWithin(path, TimeSpan.FromSeconds(10)));

        Assert.Equal($"{path}: does not exist", error.Message);
    }

    [Fact]
    public void Load_RegularFileThatFailsToRead_SaysItCannotBeRead()
    {
        // A regular file whose read fails even for root (who reads past any permission bits): the process's
        // own memory file, unmapped at offset 0.
        var error = Assert.IsType<ConfigFileUnreadableException>(LoadWithin("/proc/self/mem", TimeSpan.FromSeconds(10)));

        Assert.StartsWith("/proc/self/mem: cannot be read: ", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Load_InvalidUtf8_IsRefused()
    {
        var path = Path.Combine(dir, "Pulumi.bytes.yaml");
        File.WriteAllBytes(path, [.. "config:\n  es-dr:namePrefix: a"u8, 0xFF, (byte)'\n']);

        var error = Assert.IsType<InvalidConfigException>(LoadWithin(path, TimeSpan.FromSeconds(10)));

        Assert.Equal("Pulumi.bytes.yaml: is not UTF-8 text", OnlyError(error));
    }

    [Fact]
    public void Load_OrdinaryFile_IsReadAsBefore()
    {
        var path = Write("Pulumi.ok.yaml", "config:\n  es-dr:namePrefix: ok\n");

        var file = StackFile.Load(path, "es-dr");

        Assert.Equal("ok", file.Config["es-dr:namePrefix"]);
        Assert.Equal("ok", file.Stack);
    }

    [Fact]
    public void ProjectNameFor_EmptyPulumiYaml_IsRefused()
    {
        var project = Write("Pulumi.yaml", "");

        var error = Assert.Throws<InvalidConfigException>(() => ProjectFile.ProjectNameFor(Path.Combine(dir, "Pulumi.dev.yaml")));

        Assert.Equal($"{project}: has no project name (name: <project>)", OnlyError(error));
    }

    [Fact]
    public void ProjectNameFor_MalformedPulumiYaml_IsRefusedWithItsLine()
    {
        var project = Write("Pulumi.yaml", "name: es-dr\nruntime: [yaml\n");

        var error = Assert.Throws<InvalidConfigException>(() => ProjectFile.ProjectNameFor(Path.Combine(dir, "Pulumi.dev.yaml")));

        Assert.StartsWith($"{project}:", OnlyError(error), StringComparison.Ordinal);
        Assert.Contains("is not valid YAML", OnlyError(error), StringComparison.Ordinal);
    }

    [Fact]
    public void ProjectNameFor_PulumiYamlNamingTheProject_GivesItsName()
    {
        Write("Pulumi.yaml", "name: shop\nruntime: yaml\n");

        Assert.Equal("shop", ProjectFile.ProjectNameFor(Path.Combine(dir, "Pulumi.dev.yaml")));
    }
}
