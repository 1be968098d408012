namespace EsDr.Infra.Program;

/// <summary>
/// The provider packages a program may use, pinned to the versions whose schemas are embedded in
/// <c>Schemas/Data</c> (a test holds the two together). Every resource carries its package's version (and
/// plugin source where Pulumi does not host it), which is how Pulumi's YAML runtime learns which plugins to install.
/// </summary>
public static class ProviderPackages
{
    public const string Linode = "linode";
    public const string DigitalOcean = "digitalocean";
    public const string Aws = "aws";
    public const string Ovh = "ovh";
    public const string Tls = "tls";
    public const string Random = "random";
    public const string Command = "command";

    public static readonly IReadOnlyDictionary<string, string> Versions = new SortedDictionary<string, string>(StringComparer.Ordinal)
    {
        [Aws] = "7.48.0",
        [Command] = "1.2.1",
        [DigitalOcean] = "4.76.0",
        [Linode] = "6.0.0",
        [Ovh] = "2.12.0",
        [Random] = "4.21.1",
        [Tls] = "5.5.1",
    };

    /// <summary>
    /// Where Pulumi installs the plugins it does not host (each schema's <c>pluginDownloadURL</c>, embedded
    /// beside its version); every other package comes from Pulumi's own plugin server.
    /// </summary>
    public static readonly IReadOnlyDictionary<string, string> DownloadUrls = new SortedDictionary<string, string>(StringComparer.Ordinal)
    {
        [Ovh] = "github://api.github.com/ovh/pulumi-ovh",
    };

    public static string? DownloadUrlOf(string package) => DownloadUrls.GetValueOrDefault(package);

    /// <summary>
    /// Options carrying the package's pinned version and, where Pulumi does not host it, its plugin source.
    /// pulumi-yaml's <c>GetReferencedPackages</c> takes both from the first resource of each package it meets,
    /// so every resource carries them.
    /// </summary>
    public static ResourceOptions Pinned(string package, ResourceOptions? options = null) =>
        (options ?? new ResourceOptions()) with { Version = VersionOf(package), PluginDownloadUrl = DownloadUrlOf(package) };

    public static string VersionOf(string package) =>
        Versions.TryGetValue(package, out var v) ? v : throw new InvalidOperationException($"package '{package}' is not pinned");

    /// <summary>
    /// What the compiler prints when Pulumi runs it without <c>PULUMI_STACK</c>/<c>PULUMI_CONFIG</c>, to learn the
    /// plugins to install: one provider declaration per package at its pinned version and source. Never deployed.
    /// </summary>
    public static PulumiProgram ManifestProgram(string projectName)
    {
        var program = new PulumiProgram(projectName);
        foreach (var package in Versions.Keys)
            program.Add($"{package}-provider", $"pulumi:providers:{package}", new PMap(), Pinned(package));
        return program;
    }
}
