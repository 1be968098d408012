using System.Globalization;
using EsDr.Infra.Compilation;
using EsDr.Infra.Config;
using EsDr.Infra.Outputs;
using EsDr.Infra.Program;

namespace EsDr.Infra.CrossRegion;

/// <summary>
/// The search endpoint's name follows the active region. With Route 53: a health check per region and
/// PRIMARY (the active region) / SECONDARY (the first standby) failover records, so traffic moves as soon
/// as the primary's check fails, before recovery runs. With a Linode or DigitalOcean domain: one record
/// pointing at the active region's balancer, moved by re-running the stack with another active region.
/// Every resource here lives outside the regions, so a targeted <c>pulumi up</c> can move traffic while a
/// region's own cloud API is down.
/// </summary>
public static class DnsFailover
{
    public const string ProviderName = "dns-aws";

    /// <summary>200 only for a yellow-or-green cluster with a master; red answers 408, masterless 503.</summary>
    public const string HealthPath = "/_cluster/health?wait_for_status=yellow&timeout=1s";

    /// <returns>The <c>dns</c> output (without the application's name, which <see cref="ApplicationDns"/> adds); null without DNS.</returns>
    public static DeployedDns? Add(PulumiProgram program, StackConfig config, IReadOnlyList<RegionResources> regions)
    {
        if (config.Dns is not { } dns) return null;
        var active = regions.Single(r => r.Region.Name == config.ActiveRegion);
        var standby = regions.FirstOrDefault(r => r.Region.Config.State == RegionState.Standby);
        switch (dns.Provider)
        {
            case DnsProvider.Route53:
                AddRoute53(program, config, dns, active, standby);
                break;
            case DnsProvider.Linode:
                AddLinodeRecord(program, dns, active);
                break;
            default:
                AddDigitalOceanRecord(program, dns, active);
                break;
        }
        return new DeployedDns(StackConfigParser.Spell(dns.Provider), dns.SearchFqdn, active.Region.Name)
        {
            SecondaryRegion = dns.Provider == DnsProvider.Route53 ? standby?.Region.Name : null,
        };
    }

    private static void AddRoute53(PulumiProgram program, StackConfig config, DnsSettings dns, RegionResources active, RegionResources? standby)
    {
        // Route 53 is global; its API lives in us-east-1 whatever regions the stack uses.
        program.Add(ProviderName, "pulumi:providers:aws", new PMap { { "region", "us-east-1" } },
            new ResourceOptions { Version = ProviderPackages.VersionOf(ProviderPackages.Aws) });
        AddFailoverRecord(program, config, dns, active, "PRIMARY");
        if (standby is not null) AddFailoverRecord(program, config, dns, standby, "SECONDARY");
    }

    private static void AddFailoverRecord(PulumiProgram program, StackConfig config, DnsSettings dns, RegionResources region, string role)
    {
        var key = region.Region.Key;
        var byName = region.EndpointAliasZoneId is not null;
        var check = program.Add($"dns-{key}-health", "aws:route53/healthCheck:HealthCheck",
            new PMap
            {
                { "type", "HTTPS" },
                { byName ? "fqdn" : "ipAddress", region.EndpointHost },
                { "port", config.Elasticsearch.HttpPort },
                { "resourcePath", HealthPath },
                { "requestInterval", dns.HealthCheckIntervalSeconds },
                { "failureThreshold", dns.FailureThreshold },
                { "referenceName", $"{config.NamePrefix}-{key}".Length > 64 ? $"{config.NamePrefix}-{key}"[..64] : $"{config.NamePrefix}-{key}" },
                { "tags", new PMap { { "Name", $"{config.NamePrefix}-{key}-search" }, { "es-dr-region", region.Region.Name } } },
            },
            new ResourceOptions { Provider = $"${{{ProviderName}}}" });
        var record = new PMap
        {
            { "zoneId", dns.ZoneId! },
            { "name", dns.SearchFqdn },
            { "type", "A" },
            { "setIdentifier", region.Region.Name },
            { "failoverRoutingPolicies", new[] { new PMap { { "type", role } } } },
            { "healthCheckId", check.Out("id") },
        };
        if (byName)
        {
            // A load balancer known by name: an alias record, answered by Route 53 without a TTL of its own.
            record.Add("aliases", new[]
            {
                new PMap { { "name", region.EndpointHost }, { "zoneId", region.EndpointAliasZoneId! }, { "evaluateTargetHealth", true } },
            });
        }
        else
        {
            record.Add("ttl", dns.Ttl);
            record.Add("records", new[] { region.EndpointHost });
        }
        program.Add($"dns-{key}-search", "aws:route53/record:Record", record, new ResourceOptions { Provider = $"${{{ProviderName}}}" });
    }

    private static void AddLinodeRecord(PulumiProgram program, DnsSettings dns, RegionResources active)
    {
        var byName = active.EndpointAliasZoneId is not null;
        program.Add("dns-search", "linode:index/domainRecord:DomainRecord",
            new PMap
            {
                { "domainId", int.Parse(dns.ZoneId!, CultureInfo.InvariantCulture) },
                { "name", dns.SearchName },
                { "recordType", byName ? "CNAME" : "A" },
                { "target", active.EndpointHost },
                { "ttlSec", Math.Max(dns.Ttl, 30) },
            },
            new ResourceOptions { Version = ProviderPackages.VersionOf(ProviderPackages.Linode) });
    }

    private static void AddDigitalOceanRecord(PulumiProgram program, DnsSettings dns, RegionResources active)
    {
        var byName = active.EndpointAliasZoneId is not null;
        program.Add("dns-search", "digitalocean:index/dnsRecord:DnsRecord",
            new PMap
            {
                { "domain", dns.Zone },
                { "name", dns.SearchName },
                { "type", byName ? "CNAME" : "A" },
                // A CNAME's value must be fully qualified.
                { "value", byName ? $"{active.EndpointHost}." : active.EndpointHost },
                { "ttl", dns.Ttl },
            },
            new ResourceOptions { Version = ProviderPackages.VersionOf(ProviderPackages.DigitalOcean) });
    }
}
