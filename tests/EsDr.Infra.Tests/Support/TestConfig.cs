using System.Text.Json.Nodes;
using EsDr.Infra.Config;

namespace EsDr.Infra.Tests.Support;

/// <summary>A valid two-region config in Pulumi's flattened form, for tests to start from and break.</summary>
internal static class TestConfig
{
    public const string Project = "es-dr";

    public static Dictionary<string, string> TwoRegions() => new()
    {
        ["es-dr:namePrefix"] = "shop",
        ["es-dr:activeRegion"] = "fra",
        ["es-dr:elasticsearch"] = """{"version":"9.5.7","license":"trial"}""",
        ["es-dr:ssh"] = """{"publicKeys":["ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIGQw1c6y3Vb5cR9yTQ0h ops@example.com"],"allowedCidrs":["203.0.113.0/24"]}""",
        ["es-dr:deployer"] = """{"cidrs":["192.0.2.10/32"]}""",
        ["es-dr:tags"] = """{"team":"search"}""",
        ["es-dr:regions"] = """
            [
              {"name":"fra","cloud":"linode","location":"eu-central","state":"active","network":{"cidr":"10.10.0.0/24"},
               "elasticsearch":{"nodes":3,"size":"g6-standard-4","volumeGb":50}},
              {"name":"dub","cloud":"aws","image":"ami-0f3a9c1e5b7d2a4c6","location":"eu-west-1","zones":["eu-west-1a","eu-west-1b","eu-west-1c"],"state":"standby",
               "network":{"cidr":"10.20.0.0/16"},"elasticsearch":{"nodes":3,"size":"r6i.large","volumeGb":50}}
            ]
            """,
        ["linode:token"] = "SENTINEL-SECRET-token",
    };

    public static StackConfig Parse(Dictionary<string, string>? config = null) =>
        StackConfigParser.Parse(Project, "test", config ?? TwoRegions());

    /// <summary>Sets a value inside a structured key by path, e.g. <c>Set(c, "regions", "[1].elasticsearch.nodes", 2)</c>.</summary>
    public static Dictionary<string, string> With(this Dictionary<string, string> config, string key, string path, JsonNode? value)
    {
        var root = JsonNode.Parse(config[$"{Project}:{key}"])!;
        var (parent, last) = Navigate(root, path);
        switch (parent)
        {
            case JsonObject o when value is null: o.Remove(last); break;
            case JsonObject o: o[last] = value; break;
            case JsonArray a: a[int.Parse(last.Trim('[', ']'), System.Globalization.CultureInfo.InvariantCulture)] = value; break;
        }
        config[$"{Project}:{key}"] = root.ToJsonString();
        return config;
    }

    private static (JsonNode Parent, string Last) Navigate(JsonNode root, string path)
    {
        var segments = System.Text.RegularExpressions.Regex.Matches(path, @"\[\d+\]|[^.\[\]]+").Select(m => m.Value).ToList();
        var node = root;
        foreach (var s in segments.Take(segments.Count - 1))
            node = s.StartsWith('[') ? node[int.Parse(s.Trim('[', ']'), System.Globalization.CultureInfo.InvariantCulture)]! : node[s]!;
        return (node, segments[^1]);
    }
}
