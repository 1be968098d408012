using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using EsDr.Infra.Renderers;

namespace EsDr.Infra.Tests.Renderers;

/// <summary>Renderer inputs shared by the tests. Each call builds fresh instances.</summary>
internal static class RendererSamples
{
    public static readonly string[] ThreeNodeNames = ["fra-es-1", "fra-es-2", "fra-es-3"];

    public static ElasticsearchNodeSettings NewClusterNode() => new(
        ClusterName: "fra-es",
        NodeName: "fra-es-1",
        Roles: ["master", "data", "ingest"],
        NetworkHost: "10.0.0.11",
        SeedHosts: ["10.0.0.11", "10.0.0.12", "10.0.0.13"],
        InitialMasterNodes: ThreeNodeNames);

    /// <summary>A rebuilt node joining a running cluster: it must never bootstrap.</summary>
    public static ElasticsearchNodeSettings ReplacementNode() => new(
        ClusterName: "fra-es",
        NodeName: "fra-es-2",
        Roles: ["master", "data"],
        NetworkHost: "_eth1_",
        SeedHosts: ["fra-es-1.internal", "fra-es-3.internal"],
        InitialMasterNodes: []) { Zone = "fra-b", HttpPort = 9201, TransportPort = 9301, DataPath = "/data/es", LogPath = "/data/log" };

    /// <summary>Deploy-time values arrive as Pulumi references and must be placed verbatim.</summary>
    public static ElasticsearchNodeSettings PulumiReferenceNode() => new(
        ClusterName: "ams-es",
        NodeName: "ams-es-1",
        Roles: ["master", "data"],
        NetworkHost: "${ams-es-1.privateIp}",
        SeedHosts: ["${ams-es-1.privateIp}", "${ams-es-2.privateIp}", "${ams-es-3.privateIp}"],
        InitialMasterNodes: ["ams-es-1", "ams-es-2", "ams-es-3"]) { Zone = "${ams-es-1.zone}" };

    public static ElasticsearchNodeSettings CoordinatingOnlyNode() => new(
        ClusterName: "fra-es",
        NodeName: "fra-es-coord",
        Roles: [],
        NetworkHost: "10.0.0.20",
        SeedHosts: ["10.0.0.11"],
        InitialMasterNodes: []);

    public static ElasticsearchUserData NewClusterUserData() => new(
        Node: NewClusterNode(),
        Version: "9.5.7",
        HeapGb: 4,
        SshAuthorizedKeys: ["ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIBtq9Vq8bYb0m7r8m6c1VYg2rQ0s2ePpQz5X5o9xDk3A ops@example"],
        DataVolumeDevice: "/dev/disk/by-id/scsi-0Linode_Volume_fra-es-1-data",
        CaCertificateBase64: B64("-----BEGIN CERTIFICATE-----\nCA\n-----END CERTIFICATE-----\n"),
        NodeCertificateBase64: B64("-----BEGIN CERTIFICATE-----\nNODE\n-----END CERTIFICATE-----\n"),
        NodeKeyBase64: B64("-----BEGIN PRIVATE KEY-----\nKEY\n-----END PRIVATE KEY-----\n"),
        BootstrapPassword: "Xk2pQ9vL7mN4rT8w");

    public static ElasticsearchUserData ReplacementUserData() => NewClusterUserData() with
    {
        Node = ReplacementNode(),
        Version = "9.1.2",
        HeapGb = 31,
        SshAuthorizedKeys = [],
        DataVolumeDevice = null,
    };

    public static ElasticsearchUserData ExtrasUserData() => NewClusterUserData() with
    {
        Node = CoordinatingOnlyNode(),
        ExtraFiles =
        [
            new ExtraFile("/etc/default/elasticsearch_exporter", "ARGS=\"--es.uri=https://localhost:9200\"\n"),
            new ExtraFile("/usr/local/bin/es-ready", "#!/bin/sh\nexec curl -fsk https://localhost:9200/\n", "0755"),
        ],
        ExtraRunCommands = ["systemctl enable --now prometheus-elasticsearch-exporter"],
    };

    public static ElasticsearchUserData PulumiReferenceUserData() => new(
        Node: PulumiReferenceNode(),
        Version: "9.5.7",
        HeapGb: 8,
        SshAuthorizedKeys: ["${sshKey}"],
        DataVolumeDevice: "/dev/disk/by-id/scsi-0DO_Volume_ams-es-1-data",
        CaCertificateBase64: "${ams-es-caB64}",
        NodeCertificateBase64: "${ams-es-1-certB64}",
        NodeKeyBase64: "${ams-es-1-keyB64}",
        BootstrapPassword: "${esBootstrapPassword.result}");

    /// <summary>Rows whose values are all literal, so the output must contain no <c>${</c> at all.</summary>
    public static TheoryData<string> LiteralUserDataRows => new() { "new cluster", "replacement", "extras" };

    public static ElasticsearchUserData UserData(string row) => row switch
    {
        "new cluster" => NewClusterUserData(),
        "replacement" => ReplacementUserData(),
        "extras" => ExtrasUserData(),
        "pulumi references" => PulumiReferenceUserData(),
        _ => throw new ArgumentOutOfRangeException(nameof(row), row, null),
    };

    public static HaproxyFrontendSettings Haproxy(string row, string caFile) => row switch
    {
        "primaries only" => new(PrimaryServers(), caFile),
        "with backups" => new([.. PrimaryServers(), .. BackupServers()], caFile),
        "transport proxy" => new(PrimaryServers(), caFile) { ProxyTransport = true },
        "backups and transport, custom ports" => new([.. PrimaryServers(), .. BackupServers()], caFile)
        {
            ProxyTransport = true,
            HttpPort = 19200,
            TransportPort = 19300,
            MonitorPort = 18404,
        },
        "source filtered" => new(PrimaryServers(), caFile)
        {
            ProxyTransport = true,
            HttpSources = ["10.0.0.0/24", "198.51.100.0/24", "203.0.113.7/32"],
            TransportSources = ["203.0.113.7/32"],
        },
        "transport closed" => new(PrimaryServers(), caFile) { ProxyTransport = true, HttpSources = ["10.0.0.0/24"], TransportSources = [] },
        "with application" => new(PrimaryServers(), caFile)
        {
            HttpSources = ["10.0.0.0/24"],
            Application = new(80, 8080, "/healthz?deep=1", [("fra-app-1", "10.0.0.21"), ("fra-app-2", "10.0.0.22")], ["0.0.0.0/0"]),
        },
        "with database" => new(PrimaryServers(), caFile)
        {
            HttpSources = ["10.0.0.0/24"],
            Database = new(3306, "fra-db", "10.0.0.6", ["198.51.100.7/32", "203.0.113.9/32"]),
        },
        "database closed" => new(PrimaryServers(), caFile) { Database = new(3306, "fra-db", "10.0.0.6", []) },
        _ => throw new ArgumentOutOfRangeException(nameof(row), row, null),
    };

    public static TheoryData<string> HaproxyRows =>
        new()
        {
            "primaries only", "with backups", "transport proxy", "backups and transport, custom ports", "source filtered", "transport closed",
            "with application", "with database", "database closed",
        };

    private static HaproxyServer[] PrimaryServers() =>
    [
        new("fra-es-1", "10.0.0.11", 9200),
        new("fra-es-2", "10.0.0.12", 9200),
        new("fra-es-3", "10.0.0.13", 9200),
    ];

    private static HaproxyServer[] BackupServers() =>
    [
        new("ams-es-1", "10.1.0.11", 9200, IsBackup: true),
        new("ams-es-2", "10.1.0.12", 9200, IsBackup: true),
        new("ams-es-3", "10.1.0.13", 9200, IsBackup: true),
    ];

    /// <summary>A throwaway self-signed CA, so haproxy -c can load the referenced ca-file.</summary>
    public static string ThrowawayCaPem()
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest("CN=EsDr renderer test CA", key, HashAlgorithmName.SHA256);
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(true, false, 0, true));
        request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.KeyCertSign, true));
        using var certificate = request.CreateSelfSigned(DateTimeOffset.UtcNow.AddMinutes(-5), DateTimeOffset.UtcNow.AddDays(1));
        return certificate.ExportCertificatePem();
    }

    public static string B64(string text) => Convert.ToBase64String(Encoding.UTF8.GetBytes(text));
}
