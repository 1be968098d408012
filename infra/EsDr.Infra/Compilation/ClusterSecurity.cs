using EsDr.Infra.Program;
using EsDr.Infra.Topology;

namespace EsDr.Infra.Compilation;

/// <summary>
/// TLS and credentials, all generated inside the stack so no secret is ever typed into config: one CA per
/// stack, a key and CA-signed certificate per node (SANs: its name, DNS name and private address), and a
/// random <c>elastic</c> password per cluster. PEMs reach user-data as base64 variables so multi-line
/// values never break the cloud-config YAML they are placed in.
/// </summary>
public static class ClusterSecurity
{
    public const string CaKey = "es-ca-key";
    public const string CaCert = "es-ca-cert";
    public const string CaCertBase64 = "es-ca-cert-b64";
    public const string CaCertBase64Ref = "${" + CaCertBase64 + "}";

    private const int CaValidityHours = 10 * 365 * 24;
    private const int NodeValidityHours = 2 * 365 * 24;

    public static void AddCertificateAuthority(PulumiProgram program, string prefix)
    {
        program.Add(CaKey, "tls:index/privateKey:PrivateKey",
            new PMap { { "algorithm", "RSA" }, { "rsaBits", 4096 } },
            RegionContext.Pinned(ProviderPackages.Tls, new ResourceOptions { Protect = true }));
        program.Add(CaCert, "tls:index/selfSignedCert:SelfSignedCert",
            new PMap
            {
                { "privateKeyPem", Ref.To(CaKey, "privateKeyPem") },
                { "isCaCertificate", true },
                { "validityPeriodHours", CaValidityHours },
                { "allowedUses", new[] { "cert_signing", "crl_signing", "digital_signature" } },
                { "subject", new PMap { { "commonName", $"{prefix} Elasticsearch CA" }, { "organization", prefix } } },
            },
            RegionContext.Pinned(ProviderPackages.Tls, new ResourceOptions { Protect = true }));
        program.Variable(CaCertBase64, new PMap { { "fn::toBase64", Ref.To(CaCert, "certPem") } });
    }

    /// <summary>The node's key and certificate; returns the logical names of what it added.</summary>
    public static NodeCredentials AddNodeCertificate(PulumiProgram program, RegionTopology region, EsNode node)
    {
        var key = $"{node.LogicalName}-tls-key";
        var csr = $"{node.LogicalName}-tls-csr";
        var cert = $"{node.LogicalName}-tls-cert";
        program.Add(key, "tls:index/privateKey:PrivateKey",
            new PMap { { "algorithm", "RSA" }, { "rsaBits", 2048 } },
            RegionContext.Pinned(ProviderPackages.Tls));
        // The cluster name is the server name other clusters verify when they connect through this
        // region's balancer (remote clusters in proxy mode, for cross-cluster replication).
        var dnsNames = new List<string> { node.Name, region.ClusterName, "localhost" };
        if (node.DnsName is not null) dnsNames.Insert(1, node.DnsName);
        var ips = new List<string> { "127.0.0.1" };
        if (node.PrivateIp is not null) ips.Insert(0, node.PrivateIp);
        program.Add(csr, "tls:index/certRequest:CertRequest",
            new PMap
            {
                { "privateKeyPem", Ref.To(key, "privateKeyPem") },
                { "subject", new PMap { { "commonName", node.Name } } },
                { "dnsNames", dnsNames },
                { "ipAddresses", ips },
            },
            RegionContext.Pinned(ProviderPackages.Tls));
        program.Add(cert, "tls:index/locallySignedCert:LocallySignedCert",
            new PMap
            {
                { "certRequestPem", Ref.To(csr, "certRequestPem") },
                { "caPrivateKeyPem", Ref.To(CaKey, "privateKeyPem") },
                { "caCertPem", Ref.To(CaCert, "certPem") },
                { "validityPeriodHours", NodeValidityHours },
                { "allowedUses", new[] { "digital_signature", "key_encipherment", "server_auth", "client_auth" } },
            },
            RegionContext.Pinned(ProviderPackages.Tls));
        var certB64 = program.Variable($"{node.LogicalName}-cert-b64", new PMap { { "fn::toBase64", Ref.To(cert, "certPem") } });
        var keyB64 = program.Variable($"{node.LogicalName}-key-b64", new PMap { { "fn::toBase64", Ref.To(key, "privateKeyPem") } });
        return new NodeCredentials([key, csr, cert], certB64, keyB64);
    }

    /// <summary>The cluster's <c>elastic</c> password; letters and digits only, so it is safe inside shell and YAML.</summary>
    public static string ElasticPasswordName(RegionTopology region) => $"{region.Key}-elastic-password";

    /// <summary>The cluster's read-only monitoring user's password (the monitoring host's exporter logs in with it).</summary>
    public static string MonitorPasswordName(RegionTopology region) => $"{region.Key}-monitor-password";

    /// <summary>
    /// Letters and digits only, like the <c>elastic</c> password; the nodes get only its bcrypt hash (file realm),
    /// the monitoring host the password itself.
    /// </summary>
    public static string AddMonitorPassword(PulumiProgram program, RegionTopology region)
    {
        var name = MonitorPasswordName(region);
        program.Add(name, "random:index/randomPassword:RandomPassword",
            new PMap { { "length", 32 }, { "special", false } },
            RegionContext.Pinned(ProviderPackages.Random));
        return name;
    }

    public static string AddElasticPassword(PulumiProgram program, RegionTopology region)
    {
        var name = ElasticPasswordName(region);
        program.Add(name, "random:index/randomPassword:RandomPassword",
            new PMap { { "length", 32 }, { "special", false } },
            RegionContext.Pinned(ProviderPackages.Random));
        return name;
    }
}

/// <summary>A node's TLS resources and the base64 interpolations of its certificate and key.</summary>
public sealed record NodeCredentials(IReadOnlyList<string> ResourceNames, string CertBase64, string KeyBase64);
