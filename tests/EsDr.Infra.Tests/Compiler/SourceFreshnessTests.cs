using EsDr.Compiler;

namespace EsDr.Infra.Tests.Compiler;

/// <summary>The native compiler's own freshness check agrees with the launcher's <c>find -newer</c>.</summary>
public class SourceFreshnessTests : IDisposable
{
    private readonly string root = Path.Combine(Path.GetTempPath(), $"es-dr-freshness-{Guid.NewGuid():N}");
    private readonly DateTime built = DateTime.UtcNow.AddMinutes(-10);

    public SourceFreshnessTests()
    {
        Write("infra/EsDr.Infra/Config/StackConfig.cs", built.AddMinutes(-5));
        Write("Directory.Build.props", built.AddMinutes(-5));
        Write(".artifacts/compiler.stamp", built);
    }

    public void Dispose()
    {
        Directory.Delete(root, recursive: true);
        GC.SuppressFinalize(this);
    }

    [Fact]
    public void IsStale_NothingNewerThanTheStamp_IsFresh() => Assert.False(SourceFreshness.IsStale(root));

    [Theory]
    [InlineData("infra/EsDr.Infra/Config/StackConfig.cs")]
    [InlineData("infra/EsDr.Infra/Schemas/Data/new.json")]
    [InlineData("Directory.Packages.props")]
    public void IsStale_ASourceNewerThanTheStamp_IsStale(string source)
    {
        Write(source, built.AddSeconds(1));

        Assert.True(SourceFreshness.IsStale(root));
    }

    [Theory]
    [InlineData("infra/EsDr.Infra/bin/Release/net10.0/EsDr.Infra.dll")]
    [InlineData("infra/EsDr.Compiler/obj/project.assets.json")]
    public void IsStale_BuildOutputNewerThanTheStamp_IsFresh(string output)
    {
        Write(output, built.AddSeconds(1));

        Assert.False(SourceFreshness.IsStale(root));
    }

    [Fact]
    public void IsStale_NoStamp_IsStale()
    {
        File.Delete(Path.Combine(root, ".artifacts", "compiler.stamp"));

        Assert.True(SourceFreshness.IsStale(root));
    }

    private void Write(string relative, DateTime modified)
    {
        var path = Path.Combine(root, relative);
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        File.WriteAllText(path, "");
        File.SetLastWriteTimeUtc(path, modified);
    }
}
