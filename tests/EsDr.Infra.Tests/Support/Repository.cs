using EsDr.Infra.Config;

namespace EsDr.Infra.Tests.Support;

/// <summary>Finds the repository the tests run from, and its stack files.</summary>
internal static class Repository
{
    public static readonly string Root = FindRoot();

    private static string FindRoot()
    {
        var dir = new DirectoryInfo(AppContext.BaseDirectory);
        while (dir is not null && !File.Exists(Path.Combine(dir.FullName, "IaC.sln"))) dir = dir.Parent;
        return dir?.FullName ?? throw new InvalidOperationException("tests must run inside the repository (IaC.sln not found)");
    }

    /// <summary>Every stack file in the repository: the root's and those under stacks/.</summary>
    public static IReadOnlyList<string> StackFiles() =>
        Directory.GetFiles(Root, "Pulumi.*.yaml")
            .Concat(Directory.GetFiles(Path.Combine(Root, "stacks"), "Pulumi.*.yaml"))
            .Select(p => Path.GetRelativePath(Root, p))
            .OrderBy(p => p, StringComparer.Ordinal)
            .ToList();

    public static TheoryData<string> StackFileData()
    {
        var data = new TheoryData<string>();
        foreach (var f in StackFiles()) data.Add(f);
        return data;
    }

    public static StackFile Load(string relativePath) => StackFile.Load(Path.Combine(Root, relativePath), TestConfig.Project);

    /// <summary>
    /// The stack's config as a deployment sees it once its secrets are set: every secure value, every program
    /// secret and every provider's credentials as a recognisable sentinel.
    /// </summary>
    public static Dictionary<string, string> WithSecretSentinels(StackFile stack)
    {
        var config = stack.Config.ToDictionary(kv => kv.Key, kv => kv.Value);
        foreach (var key in stack.SecretKeys) config[key] = Sentinel(key);
        foreach (var key in ProgramSecrets.Keys.Select(k => $"{TestConfig.Project}:{k}")) config[key] = Sentinel(key);
        foreach (var key in ProviderCredentialKeys) config[key] = Sentinel(key);
        return config;
    }

    public static readonly string[] ProviderCredentialKeys =
        ["linode:token", "digitalocean:token", "aws:secretKey", "ovh:applicationSecret", "ovh:consumerKey"];

    public static string Sentinel(string key) => $"SENTINEL-SECRET-{key.Replace(':', '-')}";
}
