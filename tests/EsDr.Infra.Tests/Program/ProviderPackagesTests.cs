using EsDr.Infra.Program;
using EsDr.Infra.Schemas;
using YamlDotNet.RepresentationModel;

namespace EsDr.Infra.Tests.Program;

public class ProviderPackagesTests
{
    [Fact]
    public void Versions_AreThoseOfTheEmbeddedSchemas() =>
        Assert.Equal(
            ProviderSchemas.LoadEmbedded().PinnedVersions.OrderBy(kv => kv.Key, StringComparer.Ordinal),
            ProviderPackages.Versions.OrderBy(kv => kv.Key, StringComparer.Ordinal));

    [Fact]
    public void DownloadUrls_AreThoseOfTheEmbeddedSchemas() =>
        Assert.Equal(
            ProviderSchemas.LoadEmbedded().Packages.Values.Where(p => p.PluginDownloadUrl is not null)
                .ToDictionary(p => p.Name, p => p.PluginDownloadUrl!).OrderBy(kv => kv.Key, StringComparer.Ordinal),
            ProviderPackages.DownloadUrls.OrderBy(kv => kv.Key, StringComparer.Ordinal));

    [Fact]
    public void Ovh_IsInstalledFromItsOwnReleases_AsItsSchemaSays() =>
        Assert.Equal("github://api.github.com/ovh/pulumi-ovh", ProviderPackages.DownloadUrlOf(ProviderPackages.Ovh));

    [Fact]
    public void ManifestProgram_NamesThePluginSourceOfEveryPackageNotHostedByPulumi()
    {
        var stream = new YamlStream();
        stream.Load(new StringReader(ProgramYamlWriter.Write(ProviderPackages.ManifestProgram("es-dr"))));
        var resources = (YamlMappingNode)((YamlMappingNode)stream.Documents[0].RootNode)["resources"];

        foreach (var (package, _) in ProviderPackages.Versions)
        {
            var options = (YamlMappingNode)((YamlMappingNode)resources[$"{package}-provider"])["options"];
            var written = options.Children.TryGetValue(new YamlScalarNode("pluginDownloadURL"), out var url) ? ((YamlScalarNode)url).Value : null;
            Assert.Equal(ProviderPackages.DownloadUrlOf(package), written);
        }
    }

    [Fact]
    public void ManifestProgram_DeclaresEveryPackageOnceAtItsPinnedVersion()
    {
        var program = ProviderPackages.ManifestProgram("es-dr");

        Assert.Equal(ProviderPackages.Versions.Count, program.Resources.Count);
        Assert.All(program.Resources, r => Assert.Equal(ProviderPackages.VersionOf(r.Package), r.Options.Version));
        Assert.Empty(ProgramValidator.Validate(ProgramYamlWriter.Write(program), ProviderSchemas.LoadEmbedded()));
    }
}
