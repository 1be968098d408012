namespace EsDr.Infra.Program;

/// <summary>
/// The provider packages a program may use, pinned to the versions whose schemas are embedded in
/// <c>Schemas/Data</c> (a test holds the two together). Every resource carries its package's version,
/// which is how Pulumi's YAML runtime learns which plugin versions to install.
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

    public static string VersionOf(string package) =>
        Versions.TryGetValue(package, out var v) ? v : throw new InvalidOperationException($"package '{package}' is not pinned");

    /// <summary>
    /// What the compiler prints when Pulumi runs it without any <c>PULUMI_*</c> variable, to learn the
    /// plugins to install: one provider declaration per package at its pinned version. Never deployed.
    /// </summary>
    public static PulumiProgram ManifestProgram(string projectName)
    {
        var program = new PulumiProgram(projectName);
        foreach (var (package, version) in Versions)
            program.Add($"{package}-provider", $"pulumi:providers:{package}", new PMap(), new ResourceOptions { Version = version });
        return program;
    }
}
