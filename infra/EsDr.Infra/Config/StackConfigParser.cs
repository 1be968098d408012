using System.Text.Json.Nodes;

namespace EsDr.Infra.Config;

/// <summary>
/// Turns Pulumi's flattened config (<c>PULUMI_CONFIG</c>: keys <c>"project:key"</c>, values strings, structured
/// values as JSON text) into a <see cref="StackConfig"/>. Reads every key, then runs
/// <see cref="ConfigRules"/>; all problems are reported together in one <see cref="InvalidConfigException"/>.
/// </summary>
public static class StackConfigParser
{
    /// <summary>The top-level keys of the project's namespace.</summary>
    public static readonly string[] TopLevelKeys = ["namePrefix", "activeRegion", "elasticsearch", "ssh", "deployer", "tags", "regions", "dns", "replication", "database", "application", "monitoring", "recovery"];

    private static readonly Dictionary<string, DnsProvider> DnsProviders = new()
    {
        ["route53"] = DnsProvider.Route53, ["linode"] = DnsProvider.Linode, ["digitalocean"] = DnsProvider.DigitalOcean,
    };

    private static readonly Dictionary<string, Cloud> Clouds = new()
    {
        ["linode"] = Cloud.Linode, ["digitalocean"] = Cloud.DigitalOcean, ["aws"] = Cloud.Aws, ["ovh"] = Cloud.Ovh,
    };

    private static readonly Dictionary<string, BalancerKind> Balancers = new()
    {
        ["nodebalancer"] = BalancerKind.NodeBalancer,
        ["digitalocean"] = BalancerKind.DigitalOceanLoadBalancer,
        ["nlb"] = BalancerKind.Nlb,
        ["alb"] = BalancerKind.Alb,
        ["haproxy"] = BalancerKind.HaProxy,
    };

    private static readonly Dictionary<string, RegionState> States = new()
    {
        ["active"] = RegionState.Active, ["standby"] = RegionState.Standby,
        ["lost"] = RegionState.Lost, ["rebuilding"] = RegionState.Rebuilding,
    };

    public static StackConfig Parse(
        string project, string stack, IReadOnlyDictionary<string, string> flatConfig,
        IReadOnlyCollection<string>? secretKeys = null)
    {
        var errors = new List<ConfigError>();
        var textErrors = new List<ConfigError>();
        var secretsSet = new HashSet<string>(StringComparer.Ordinal);
        var secretsInPlainText = new HashSet<string>(StringComparer.Ordinal);
        var root = new JsonObject();
        var prefix = project + ":";
        foreach (var (key, raw) in flatConfig.OrderBy(k => k.Key, StringComparer.Ordinal))
        {
            if (!key.StartsWith(prefix, StringComparison.Ordinal)) continue; // provider config (linode:token, aws:region…)
            var name = key[prefix.Length..];
            if (ProgramSecrets.IsProgramSecret(name))
            {
                // Only its presence matters here; the program asks Pulumi for the value at deploy time, through
                // fn::secret, so one stored in plain text is still handled as a secret (show warns about the file).
                if (secretKeys is not null && !secretKeys.Contains(key)) secretsInPlainText.Add(name);
                if (ProgramSecrets.TooLong(name, raw) is { } tooLong) errors.Add(new ConfigError(key, tooLong));
                secretsSet.Add(name);
                continue;
            }
            if (!TopLevelKeys.Contains(name))
            {
                errors.Add(new ConfigError(key, $"unknown key (expected one of: {string.Join(", ", TopLevelKeys.Concat(ProgramSecrets.Keys))})"));
                continue;
            }
            if (secretKeys?.Contains(key) == true)
            {
                errors.Add(new ConfigError(key, "is a secret, but it is written into the program as plain text; set it without --secret"));
            }
            root[name] = ParseValue(key, raw, textErrors);
        }
        // A string no YAML document can carry (or not Unicode at all) stops here, before any reader sees it.
        if (textErrors.Count > 0) throw new InvalidConfigException([.. errors, .. textErrors]);

        ConfigNode Key(string k) => new($"{project}:{k}", root[k]?.DeepClone(), errors);

        var config = new StackConfig(
            Project: project,
            Stack: stack,
            NamePrefix: Key("namePrefix").String(),
            ActiveRegion: Key("activeRegion").String(),
            Elasticsearch: ReadElasticsearch(Key("elasticsearch")),
            Ssh: ReadSsh(Key("ssh")),
            Tags: ReadTags(Key("tags")),
            Regions: Key("regions").Items().Select(ReadRegion).ToList(),
            Dns: ReadDns(Key("dns")),
            Replication: ReadReplication(Key("replication")),
            Monitoring: ReadMonitoring(Key("monitoring")),
            Recovery: RecoverySettingsReader.Read(Key("recovery")))
        {
            SecretsSet = secretsSet,
            SecretsInPlainText = secretsInPlainText,
            Database = TierConfigReader.ReadDatabase(Key("database")),
            Application = TierConfigReader.ReadApplication(Key("application")),
            Deployer = ReadDeployer(Key("deployer")),
        };

        if (errors.Count == 0) errors.AddRange(ConfigRules.Check(config));
        if (errors.Count > 0) throw new InvalidConfigException(errors);
        return config;
    }

    private static JsonNode? ParseValue(string key, string raw, List<ConfigError> errors)
    {
        var trimmed = raw.TrimStart();
        return trimmed.StartsWith('{') || trimmed.StartsWith('[') ? ConfigText.ParseStructured(key, raw, errors) : ConfigText.Plain(key, raw, errors);
    }

    private static ElasticsearchSettings ReadElasticsearch(ConfigNode n)
    {
        if (!n.IsObject()) return new ElasticsearchSettings("", "basic", true, 9200, 9300, []);
        n.RejectUnknownKeys("version", "license", "security", "clientCidrs");
        return new ElasticsearchSettings(
            Version: n.Child("version").String(),
            License: n.Child("license").String("basic"),
            Security: n.Child("security").Bool(true),
            HttpPort: 9200,
            TransportPort: 9300,
            ClientCidrs: n.Child("clientCidrs").Strings());
    }

    private static ReplicationSettings? ReadReplication(ConfigNode n)
    {
        if (n.IsMissing || !n.IsObject()) return null;
        n.RejectUnknownKeys("indexPatterns");
        return new ReplicationSettings(n.Child("indexPatterns").Strings(required: true));
    }

    private static MonitoringSettings? ReadMonitoring(ConfigNode n)
    {
        if (n.IsMissing || !n.IsObject()) return null;
        n.RejectRemovedKey("recoveryMetricsAddress",
            "Prometheus scrapes the recovery program's /metrics beside monitoring.webhookUrl (same scheme, host and port, path …/metrics), "
            + "where watch and serve serve it on their --listen; remove this key");
        n.RejectUnknownKeys("cloud", "location", "size", "image", "zone", "network", "webhookUrl", "alertmanagerUrl", "alerts");
        var network = n.Child("network");
        var cidr = "";
        if (network.IsObject())
        {
            network.RejectUnknownKeys("cidr");
            cidr = network.Child("cidr").String();
        }
        return new MonitoringSettings(
            Cloud: n.Child("cloud").Enum(Clouds),
            Location: n.Child("location").Identifier(),
            Size: n.Child("size").Identifier(),
            Image: n.Child("image").OptionalIdentifier(),
            Zone: n.Child("zone").OptionalIdentifier(),
            NetworkCidr: cidr,
            WebhookUrl: n.Child("webhookUrl").String(),
            AlertmanagerUrl: n.Child("alertmanagerUrl").String(MonitoringDefaults.AlertmanagerUrl),
            Thresholds: ReadThresholds(n.Child("alerts")));
    }

    private static MonitoringThresholds ReadThresholds(ConfigNode n)
    {
        if (n.IsMissing || !n.IsObject()) return new MonitoringThresholds();
        n.RejectUnknownKeys("redFor", "yellowFor", "nodesMissingFor", "ccrLagOperations", "ccrLagFor", "replicaLagSeconds", "replicaLagFor", "probeFor");
        return new MonitoringThresholds(
            RedFor: Duration(n.Child("redFor")),
            YellowFor: Duration(n.Child("yellowFor")),
            NodesMissingFor: Duration(n.Child("nodesMissingFor")),
            CcrLagOperations: n.Child("ccrLagOperations").OptionalInt(),
            CcrLagFor: Duration(n.Child("ccrLagFor")),
            ReplicaLagSeconds: n.Child("replicaLagSeconds").OptionalInt(),
            ReplicaLagFor: Duration(n.Child("replicaLagFor")),
            ProbeFor: Duration(n.Child("probeFor")));
    }

    /// <summary>The longest alert wait, in seconds: longer ones overflowed as hours, and an alert a week late helps no failover.</summary>
    private const long LongestDurationSeconds = 7 * 24 * 3600;

    /// <summary>A Prometheus-style duration (<c>90s</c>, <c>5m</c>, <c>1h</c>) of at least one second and at most 7 days.</summary>
    private static TimeSpan? Duration(ConfigNode n)
    {
        var text = n.OptionalString();
        if (text is null) return null;
        var unit = text.Length > 1 ? text[^1] : ' ';
        if (unit != ' ' && int.TryParse(text[..^1], System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var value) && value > 0)
        {
            long? seconds = unit switch { 's' => value, 'm' => value * 60L, 'h' => value * 3600L, _ => null };
            if (seconds <= LongestDurationSeconds) return TimeSpan.FromSeconds(seconds.Value);
            if (seconds is not null)
            {
                n.Error($"must be at most 7 days (168h), got '{text}'");
                return null;
            }
        }
        n.Error($"must be a duration such as 90s, 5m or 1h, got '{text}'");
        return null;
    }

    private static DnsSettings? ReadDns(ConfigNode n)
    {
        if (n.IsMissing || !n.IsObject()) return null;
        n.RejectUnknownKeys("provider", "zone", "zoneId", "searchName", "appName", "ttl", "healthCheck");
        var check = n.Child("healthCheck");
        var interval = 30;
        var threshold = 3;
        if (!check.IsMissing && check.IsObject())
        {
            check.RejectUnknownKeys("intervalSeconds", "failureThreshold");
            interval = check.Child("intervalSeconds").Int(30);
            threshold = check.Child("failureThreshold").Int(3);
        }
        return new DnsSettings(
            Provider: n.Child("provider").Enum(DnsProviders),
            Zone: n.Child("zone").String(),
            ZoneId: n.Child("zoneId").OptionalIdentifier(),
            SearchName: n.Child("searchName").String("search"),
            Ttl: n.Child("ttl").Int(60),
            HealthCheckIntervalSeconds: interval,
            FailureThreshold: threshold)
        {
            AppName = n.Child("appName").OptionalString(),
        };
    }

    private static SshSettings ReadSsh(ConfigNode n)
    {
        if (!n.IsObject()) return new SshSettings([], []);
        n.RejectUnknownKeys("publicKeys", "allowedCidrs");
        return new SshSettings(n.Child("publicKeys").Strings(required: true), n.Child("allowedCidrs").Strings(required: true));
    }

    private static DeployerSettings? ReadDeployer(ConfigNode n)
    {
        if (n.IsMissing || !n.IsObject()) return null;
        n.RejectUnknownKeys("cidrs");
        return new DeployerSettings(n.Child("cidrs").Strings(required: true));
    }

    /// <summary>
    /// Tags are free text (the compilation escapes them), but a key is refused where Pulumi YAML would take a map
    /// holding it for a function call (<c>fn::readFile</c>, <c>fn::invoke</c>, …; matched case-insensitively).
    /// </summary>
    private static Dictionary<string, string> ReadTags(ConfigNode n) =>
        n.Entries().ToDictionary(e => e.Key, e => TagValue(e.Key, e.Value), StringComparer.Ordinal);

    private static string TagValue(string key, ConfigNode value)
    {
        if (key.StartsWith("fn::", StringComparison.OrdinalIgnoreCase))
            value.Error("is a Pulumi YAML function name ('fn::' starts one); choose another tag key");
        return value.String();
    }

    private static RegionConfig ReadRegion(ConfigNode n)
    {
        if (!n.IsObject())
            return new RegionConfig("", Cloud.Linode, "", [], "", 1, RegionState.Standby, null, null, null,
                new RegionElasticsearch(0, "", null, 0, new Dictionary<int, int>()), new BalancerConfig(BalancerKind.HaProxy, null));
        n.RejectUnknownKeys("name", "cloud", "location", "zones", "network", "generation", "state", "image",
            "projectId", "dnsZone", "elasticsearch", "loadBalancer", "database", "application");

        var cloud = n.Child("cloud").Enum(Clouds);
        var network = n.Child("network");
        string cidr = "";
        if (network.IsObject())
        {
            network.RejectUnknownKeys("cidr");
            cidr = network.Child("cidr").String();
        }

        return new RegionConfig(
            Name: n.Child("name").String(),
            Cloud: cloud,
            Location: n.Child("location").Identifier(),
            Zones: n.Child("zones").Identifiers(),
            NetworkCidr: cidr,
            Generation: n.Child("generation").Int(1),
            State: n.Child("state").Enum(States, RegionState.Standby),
            Image: n.Child("image").OptionalIdentifier(),
            ProjectId: n.Child("projectId").OptionalIdentifier(),
            DnsZone: n.Child("dnsZone").OptionalString(),
            Elasticsearch: ReadRegionElasticsearch(n.Child("elasticsearch")),
            LoadBalancer: ReadBalancer(n.Child("loadBalancer"), cloud))
        {
            Database = TierConfigReader.ReadRegionDatabase(n.Child("database")),
            Application = TierConfigReader.ReadRegionApplication(n.Child("application")),
        };
    }

    private static RegionElasticsearch ReadRegionElasticsearch(ConfigNode n)
    {
        if (!n.IsObject()) return new RegionElasticsearch(0, "", null, 0, new Dictionary<int, int>());
        n.RejectUnknownKeys("nodes", "size", "memoryGb", "volumeGb", "nodeGenerations");
        var generations = new Dictionary<int, int>();
        foreach (var (key, value) in n.Child("nodeGenerations").Entries())
        {
            if (!int.TryParse(key, out var ordinal) || ordinal < 1)
            {
                value.Error("must be keyed by a node number (1, 2, …)");
                continue;
            }
            generations[ordinal] = value.Int();
        }
        return new RegionElasticsearch(
            Nodes: n.Child("nodes").Int(3),
            Size: n.Child("size").Identifier(),
            MemoryGb: n.Child("memoryGb").OptionalInt(),
            VolumeGb: n.Child("volumeGb").Int(0),
            NodeGenerations: generations);
    }

    private static BalancerConfig ReadBalancer(ConfigNode n, Cloud cloud)
    {
        var fallback = DefaultBalancer(cloud);
        if (n.IsMissing) return new BalancerConfig(fallback, null);
        if (!n.IsObject()) return new BalancerConfig(fallback, null);
        n.RejectUnknownKeys("kind", "size");
        return new BalancerConfig(n.Child("kind").Enum(Balancers, fallback), n.Child("size").OptionalIdentifier());
    }

    /// <summary>Each cloud's own balancer; OVH deployments front the cluster with HAProxy on a small VM.</summary>
    public static BalancerKind DefaultBalancer(Cloud cloud) => cloud switch
    {
        Cloud.Linode => BalancerKind.NodeBalancer,
        Cloud.DigitalOcean => BalancerKind.DigitalOceanLoadBalancer,
        Cloud.Aws => BalancerKind.Nlb,
        _ => BalancerKind.HaProxy,
    };

    /// <summary>The spelling of a value in config, for messages.</summary>
    public static string Spell(Cloud c) => Clouds.First(kv => kv.Value == c).Key;
    public static string Spell(BalancerKind b) => Balancers.First(kv => kv.Value == b).Key;
    public static string Spell(RegionState s) => States.First(kv => kv.Value == s).Key;
    public static string Spell(DnsProvider p) => DnsProviders.First(kv => kv.Value == p).Key;
}
