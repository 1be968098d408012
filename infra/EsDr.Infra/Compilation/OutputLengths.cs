using System.Net;
using System.Text;
using EsDr.Infra.Clouds.Ovh;
using EsDr.Infra.Program;

namespace EsDr.Infra.Compilation;

/// <summary>
/// Upper bounds on the text of the resource outputs the program puts into user-data, in UTF-8 bytes. Each says why
/// it holds; an output not listed has no bound (null), and the user-data size check reports it.
/// </summary>
internal static class OutputLengths
{
    /// <summary>An IPv4 address in dotted-quad text: at most <c>255.255.255.255</c>.</summary>
    private const int Ipv4 = 15;

    /// <summary>Any IP address in text; the longest is IPv6 ending in an IPv4 address (<c>ffff:…:ffff:255.255.255.255</c>).</summary>
    private const int AnyIp = 45;

    /// <summary>A DNS name in text: 253 characters, RFC 1035's 255 octets on the wire less the length octets.</summary>
    private const int DnsName = 253;

    /// <summary>A bcrypt hash in modular crypt format: <c>$2a$</c>, a two-digit cost, <c>$</c>, 22 characters of salt, 31 of hash.</summary>
    private const int Bcrypt = 60;

    private const string RandomPassword = "random:index/randomPassword:RandomPassword";
    private const string PrivateKey = "tls:index/privateKey:PrivateKey";
    private const string SelfSignedCert = "tls:index/selfSignedCert:SelfSignedCert";
    private const string LocallySignedCert = "tls:index/locallySignedCert:LocallySignedCert";
    private const string CertRequest = "tls:index/certRequest:CertRequest";

    /// <summary>Outputs whose size the provider's documentation fixes: addresses the cloud documents as IPv4, DNS names.</summary>
    private static readonly Dictionary<(string Type, string Output), int> Documented = new()
    {
        [("aws:ec2/instance:Instance", "publicIp")] = Ipv4,
        [("aws:ec2/instance:Instance", "privateIp")] = Ipv4,
        [("aws:ec2/eip:Eip", "publicIp")] = Ipv4,                 // Elastic IPs are IPv4 only
        [("aws:lb/loadBalancer:LoadBalancer", "dnsName")] = DnsName,
        [("digitalocean:index/droplet:Droplet", "ipv4Address")] = Ipv4,
        [("digitalocean:index/droplet:Droplet", "ipv4AddressPrivate")] = Ipv4,
        [("digitalocean:index/loadBalancer:LoadBalancer", "ip")] = Ipv4,
        [("linode:index/instance:Instance", "ipAddress")] = Ipv4,
        [("linode:index/instance:Instance", "privateIpAddress")] = Ipv4,
        [("linode:index/nodeBalancer:NodeBalancer", "ipv4")] = Ipv4,
        [("ovh:CloudProject/gateway:Gateway", "externalInformations[0].ips[0].ip")] = AnyIp, // not documented as IPv4
        [(RandomPassword, "bcryptHash")] = Bcrypt,
    };

    public static long? Of(ProgramResource resource, string output, ResolvedLength resolve) => (resource.Type, output) switch
    {
        _ when Documented.TryGetValue((resource.Type, output), out var length) => length,
        (RandomPassword, "result") => Password(resource),
        ("linode:index/networkingIp:NetworkingIp", "address") => String(resource, "type") == "ipv4" ? Ipv4 : AnyIp,
        // OvhAdapter.PublicIpv4Script prints the first line of dotted quads of one to three digits each, nothing else.
        ("command:local:Command", "stdout") when String(resource, "create") == OvhAdapter.PublicIpv4Script => Ipv4,
        (PrivateKey, "privateKeyPem") => TlsPemLength.RsaPrivateKey(RsaBits(resource)),
        (SelfSignedCert or LocallySignedCert, "certPem") => TlsPemLength.Certificate(Shape(resource, resolve)),
        _ => null,
    };

    /// <summary><c>length</c> characters, each one byte unless <c>overrideSpecial</c> brings characters outside ASCII.</summary>
    private static long Password(ProgramResource password)
    {
        var specials = String(password, "overrideSpecial") ?? "";
        var widest = specials.EnumerateRunes().Select(r => r.Utf8SequenceLength).DefaultIfEmpty(1).Max();
        return Int(password, "length") * (long)widest;
    }

    /// <summary>RSA only (the program's every key): another algorithm has no bound here yet.</summary>
    private static int RsaBits(ProgramResource key)
    {
        if (key.Type != PrivateKey || String(key, "algorithm") != "RSA")
            throw new UnboundedValueException(key.Name, "only tls RSA keys have a bound");
        // The provider's default size.
        return key.Properties.ContainsKey("rsaBits") ? Int(key, "rsaBits") : 2048;
    }

    /// <summary>
    /// What a certificate's size depends on. A self-signed certificate is its own issuer; a locally signed one takes
    /// its key, subject and names from its request and its issuer from the CA certificate that signs it.
    /// </summary>
    private static CertificateShape Shape(ProgramResource cert, ResolvedLength resolve)
    {
        if (cert.Type == SelfSignedCert)
        {
            var bits = RsaBits(resolve.Referenced(cert.Properties["privateKeyPem"], "privateKeyPem"));
            var subject = Subject(cert, resolve);
            return new CertificateShape(bits, bits, subject, subject, Names(cert, resolve), ExtendedKeyUsages(cert));
        }
        var request = resolve.Referenced(cert.Properties["certRequestPem"], "certRequestPem");
        if (request.Type != CertRequest) throw new UnboundedValueException(cert.Name, "certRequestPem must name a tls CertRequest");
        var ca = resolve.Referenced(cert.Properties["caCertPem"], "certPem");
        var issuer = ca.Type == SelfSignedCert ? ca : resolve.Referenced(ca.Properties["certRequestPem"], "certRequestPem");
        return new CertificateShape(
            RsaBits(resolve.Referenced(request.Properties["privateKeyPem"], "privateKeyPem")),
            RsaBits(resolve.Referenced(cert.Properties["caPrivateKeyPem"], "privateKeyPem")),
            Subject(request, resolve),
            Subject(issuer, resolve),
            Names(request, resolve),
            ExtendedKeyUsages(cert));
    }

    /// <summary>Each subject attribute's value (a list, such as street addresses, gives one attribute per item).</summary>
    private static List<long> Subject(ProgramResource owner, ResolvedLength resolve) =>
        owner.Properties.ContainsKey("subject") && owner.Properties["subject"] is PMap subject
            ? subject.SelectMany(kv => kv.Value is string s ? [s] : Items(kv.Value)).Select(v => resolve.Of(v)).ToList()
            : [];

    private static SubjectAlternativeNames Names(ProgramResource owner, ResolvedLength resolve) => new(
        List(owner, "dnsNames").Select(resolve.Of).ToList(),
        List(owner, "ipAddresses").Select(IpAddressOctets).ToList(),
        List(owner, "uris").Select(resolve.Of).ToList());

    /// <summary>4 octets for a literal IPv4 address, else IPv6's 16.</summary>
    private static long IpAddressOctets(object address) =>
        address is string s && IPAddress.TryParse(s, out var ip) && ip.AddressFamily == System.Net.Sockets.AddressFamily.InterNetwork ? 4 : 16;

    /// <summary>The tls provider's <c>allowedUses</c> that are key usages; every other one is an extended key usage.</summary>
    private static readonly string[] KeyUsages =
        ["digital_signature", "content_commitment", "key_encipherment", "data_encipherment", "key_agreement", "cert_signing", "crl_signing", "encipher_only", "decipher_only"];

    /// <summary>How many extended key usages the certificate carries (one OID each); anything not a literal key usage counts.</summary>
    private static int ExtendedKeyUsages(ProgramResource cert) => List(cert, "allowedUses").Count(u => u is not string s || !KeyUsages.Contains(s));

    private static List<object> List(ProgramResource r, string property) =>
        r.Properties.ContainsKey(property) ? Items(r.Properties[property]) : [];

    private static List<object> Items(object value) =>
        value is System.Collections.IEnumerable items and not string ? items.Cast<object>().ToList()
            : throw new UnboundedValueException(value.ToString() ?? "", "expected a list");

    private static string? String(ProgramResource r, string property) =>
        r.Properties.ContainsKey(property) ? r.Properties[property] as string : null;

    private static int Int(ProgramResource r, string property) =>
        r.Properties.ContainsKey(property) && r.Properties[property] is int value
            ? value
            : throw new UnboundedValueException($"{r.Name}.{property}", "expected an integer literal");
}
