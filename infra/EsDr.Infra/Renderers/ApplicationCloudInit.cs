using System.Globalization;
using System.Text;
using System.Text.Json.Nodes;
using YamlDotNet.RepresentationModel;
using Entry = System.Collections.Generic.KeyValuePair<string, YamlDotNet.RepresentationModel.YamlNode>;

namespace EsDr.Infra.Renderers;

/// <summary>
/// What an application server is told about its surroundings, written to <see cref="ApplicationCloudInit.EnvFile"/>.
/// Addresses only, never a password: the application brings its own credentials.
/// </summary>
/// <param name="ElasticsearchUrl">The region's search endpoint (its balancer).</param>
/// <param name="ElasticsearchNodes">The region's nodes (<c>https://address:port</c>), reachable over the private network.</param>
/// <param name="SearchUrl">The failover DNS name of the search endpoint, when the stack has one.</param>
/// <param name="DatabaseHost">The region's database server's private address, or null without one.</param>
/// <param name="DatabaseRole">That server's role when the host was built (<c>primary</c> or <c>replica</c>).</param>
public sealed record ApplicationEnvironment(
    string ElasticsearchUrl,
    IReadOnlyList<string> ElasticsearchNodes,
    string? SearchUrl,
    string? DatabaseHost,
    int DatabasePort,
    string? DatabaseRole,
    int Port);

/// <summary>An application server's first boot: our environment and CA file, merged with the user's own cloud-config.</summary>
/// <param name="UserCloudConfig">The user's cloud-config keys (<c>application.cloudConfig</c>), or null.</param>
public sealed record ApplicationUserData(
    ApplicationEnvironment Environment,
    string CaCertificateBase64,
    IReadOnlyList<string> SshAuthorizedKeys,
    JsonObject? UserCloudConfig)
{
    /// <summary>
    /// Where no cloud firewall stands in front of the server (OVH): these ports admit only their sources, by
    /// nftables on the server itself (<see cref="NftablesRules.OnlyFrom"/>). Null leaves it to the cloud.
    /// </summary>
    public IReadOnlyList<(int Port, IReadOnlyList<string> Sources)>? HostFirewall { get; init; }
}

/// <summary>
/// Renders an application server's #cloud-config. Ours comes first: <c>package_update</c>, the CA and
/// <see cref="EnvFile"/>; the user's keys follow. List-valued keys both sides may set (<see cref="MergedLists"/>)
/// are concatenated, ours first, so the user's commands run with our files in place; any other user key is
/// taken as it is. Like every input of a renderer, the user's cloud-config is program text: the compilation hands it
/// over escaped (<c>LiteralConfig</c>), so Pulumi reads no <c>${…}</c> of the user's as a reference.
/// </summary>
public static class ApplicationCloudInit
{
    public const string ConfigDir = "/etc/es-dr";
    public const string EnvFile = ConfigDir + "/app.env";
    public const string CaFile = ConfigDir + "/ca.crt";

    /// <summary>Keys whose lists are concatenated, ours first.</summary>
    public static readonly string[] MergedLists = ["packages", "write_files", "runcmd", "bootcmd", "ssh_authorized_keys"];

    public static string RenderEnvironment(ApplicationEnvironment e)
    {
        ArgumentNullException.ThrowIfNull(e);
        var text = new StringBuilder();
        void Line(string key, string? value)
        {
            if (value is null) return;
            if (value.Any(char.IsControl) || value.Contains('"', StringComparison.Ordinal))
                throw new ArgumentException($"{key} must be one line without quotes, got '{value}'.", nameof(e));
            text.Append(key).Append("=\"").Append(value).Append("\"\n");
        }
        Line("ES_DR_APP_PORT", e.Port.ToString(CultureInfo.InvariantCulture));
        Line("ES_DR_ELASTICSEARCH_URL", e.ElasticsearchUrl);
        Line("ES_DR_ELASTICSEARCH_NODES", string.Join(',', e.ElasticsearchNodes));
        Line("ES_DR_SEARCH_URL", e.SearchUrl);
        Line("ES_DR_CA_FILE", CaFile);
        Line("ES_DR_DB_HOST", e.DatabaseHost);
        Line("ES_DR_DB_PORT", e.DatabaseHost is null ? null : e.DatabasePort.ToString(CultureInfo.InvariantCulture));
        Line("ES_DR_DB_ROLE", e.DatabaseRole);
        return text.ToString();
    }

    public static string Render(ApplicationUserData u)
    {
        ArgumentNullException.ThrowIfNull(u);
        var packages = new List<string> { "ca-certificates" };
        var files = new List<YamlNode>
        {
            Database.DatabaseHostCloudInit.File(CaFile, Yaml.Str(u.CaCertificateBase64), "b64", "root:root", "0644"),
            Database.DatabaseHostCloudInit.File(EnvFile, Yaml.Block(RenderEnvironment(u.Environment)), null, "root:root", "0644"),
        };
        var commands = new List<YamlNode> { Yaml.Str($"chmod 0755 {ConfigDir}") };
        if (u.HostFirewall is { } rules)
        {
            // Before the user's commands, so the application never listens unfiltered. Deferred: the nftables package owns the file.
            packages.Add("nftables");
            files.Add(Database.DatabaseHostCloudInit.File(NftablesRules.ConfigFile, Yaml.Block(NftablesRules.OnlyFrom(rules)), null, "root:root", "0755"));
            commands.Add(Yaml.Str($"nft -c -f {NftablesRules.ConfigFile} && systemctl enable nftables && systemctl restart nftables"));
        }
        var ours = new List<Entry>
        {
            Yaml.Entry("package_update", Yaml.Bool(true)),
            Yaml.Entry("packages", Yaml.List(packages)),
        };
        if (u.SshAuthorizedKeys.Count > 0) ours.Add(Yaml.Entry("ssh_authorized_keys", Yaml.List(u.SshAuthorizedKeys)));
        ours.Add(Yaml.Entry("write_files", Yaml.List(files)));
        ours.Add(Yaml.Entry("runcmd", Yaml.List(commands)));

        var merged = Yaml.Map(ours);
        foreach (var (key, value) in u.UserCloudConfig ?? [])
        {
            var node = ToYaml(value);
            var existing = merged.Children.FirstOrDefault(kv => kv.Key is YamlScalarNode s && s.Value == key);
            if (existing.Key is null)
            {
                merged.Add(key, node);
            }
            else if (MergedLists.Contains(key, StringComparer.Ordinal) && existing.Value is YamlSequenceNode ourList && node is YamlSequenceNode theirs)
            {
                foreach (var item in theirs) ourList.Add(item);
                ourList.Style = YamlDotNet.Core.Events.SequenceStyle.Any;
            }
            else
            {
                throw new ArgumentException($"cloud-config key '{key}' is set by es-dr and cannot be replaced (a list can only be extended).", nameof(u));
            }
        }
        return CloudInit.Header + Yaml.Serialize(merged);
    }

    /// <summary>JSON (how Pulumi hands structured config over) to YAML; strings double-quoted.</summary>
    private static YamlNode ToYaml(JsonNode? node) => node switch
    {
        JsonObject o => Yaml.Map(o.Select(kv => Yaml.Entry(kv.Key, ToYaml(kv.Value)))),
        JsonArray a => Yaml.List(a.Select(ToYaml)),
        JsonValue v when v.TryGetValue<string>(out var s) => Yaml.Str(s),
        JsonValue v when v.TryGetValue<bool>(out var b) => Yaml.Bool(b),
        null => new YamlScalarNode("null"),
        _ => new YamlScalarNode(node.ToJsonString()),
    };
}
