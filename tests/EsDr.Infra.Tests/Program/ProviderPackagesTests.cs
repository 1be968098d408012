using EsDr.Infra.Program;
using EsDr.Infra.Schemas;

namespace EsDr.Infra.Tests.Program;

public class ProviderPackagesTests
{
    [Fact]
    public void Versions_AreThoseOfTheEmbeddedSchemas() =>
        Assert.Equal(
            ProviderSchemas.LoadEmbedded().PinnedVersions.OrderBy(kv => kv.Key, StringComparer.Ordinal),
            ProviderPackages.Versions.OrderBy(kv => kv.Key, StringComparer.Ordinal));

    [Fact]
    public void ManifestProgram_DeclaresEveryPackageOnceAtItsPinnedVersion()
    {
        var program = ProviderPackages.ManifestProgram("es-dr");

        Assert.Equal(ProviderPackages.Versions.Count, program.Resources.Count);
        Assert.All(program.Resources, r => Assert.Equal(ProviderPackages.VersionOf(r.Package), r.Options.Version));
        Assert.Empty(ProgramValidator.Validate(ProgramYamlWriter.Write(program), ProviderSchemas.LoadEmbedded()));
    }
}
