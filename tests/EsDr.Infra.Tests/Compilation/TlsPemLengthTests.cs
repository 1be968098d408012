using System.Net;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using EsDr.Infra.Compilation;

namespace EsDr.Infra.Tests.Compilation;

/// <summary>
/// The PEM bounds hold for real keys and certificates shaped like the program's (the stack CA and a node's), made
/// with the longest serial number RFC 5280 allows and every extension the tls provider writes, and stay close to them.
/// </summary>
public class TlsPemLengthTests
{
    /// <summary>
    /// Slack the bound may have over a real certificate: every extension counted (a CA has no alternative names and no
    /// authority key identifier), each as critical, key identifiers of 32 octets.
    /// </summary>
    private const int CertificateSlack = 160;

    private static readonly DateTimeOffset NotBefore = new(2025, 1, 1, 0, 0, 0, TimeSpan.Zero);

    [Theory]
    [InlineData(2048)]
    [InlineData(3072)]
    public void RsaPrivateKey_BoundsEveryGeneratedKeysPem(int bits)
    {
        for (var i = 0; i < 5; i++)
        {
            using var key = RSA.Create(bits);
            var pem = GoPem("RSA PRIVATE KEY", key.ExportRSAPrivateKey());

            Assert.InRange(pem.Length, TlsPemLength.RsaPrivateKey(bits) - 12, TlsPemLength.RsaPrivateKey(bits));
        }
    }

    [Fact]
    public void Certificate_BoundsASelfSignedCaAndTheNodeCertificateItSigns()
    {
        using var caKey = RSA.Create(4096);
        using var nodeKey = RSA.Create(2048);
        var ca = CaRequest(caKey).Create(new X500DistinguishedName("CN=acme Elasticsearch CA, O=acme"),
            X509SignatureGenerator.CreateForRSA(caKey, RSASignaturePadding.Pkcs1), NotBefore, NotBefore.AddYears(10), LongestSerial());
        var node = NodeRequest(nodeKey, ca).Create(ca.SubjectName,
            X509SignatureGenerator.CreateForRSA(caKey, RSASignaturePadding.Pkcs1), NotBefore, NotBefore.AddYears(2), LongestSerial());
        string[] caSubject = ["acme Elasticsearch CA", "acme"];

        var caBound = TlsPemLength.Certificate(new CertificateShape(4096, 4096, Lengths(caSubject), Lengths(caSubject), new([], [], []), 0));
        var nodeBound = TlsPemLength.Certificate(new CertificateShape(2048, 4096, Lengths("acme-use1-es-1"), Lengths(caSubject),
            new(Lengths("acme-use1-es-1", "acme-use1", "localhost"), [4, 4], []), 2));

        Assert.InRange(GoPem("CERTIFICATE", ca.RawData).Length, caBound - CertificateSlack, caBound);
        Assert.InRange(GoPem("CERTIFICATE", node.RawData).Length, nodeBound - CertificateSlack, nodeBound);
    }

    [Fact]
    public void Certificate_GrowsWithEveryNameItCarries()
    {
        var shape = new CertificateShape(2048, 4096, Lengths("n"), Lengths("ca"), new([], [], []), 0);

        var named = TlsPemLength.Certificate(shape with { Names = new(Lengths(new string('d', 200)), [16], Lengths("https://x")) });

        Assert.True(named > TlsPemLength.Certificate(shape) + 200);
    }

    private static CertificateRequest CaRequest(RSA key)
    {
        var request = new CertificateRequest("CN=acme Elasticsearch CA, O=acme", key, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(true, false, 0, true));
        request.CertificateExtensions.Add(new X509KeyUsageExtension(
            X509KeyUsageFlags.KeyCertSign | X509KeyUsageFlags.CrlSign | X509KeyUsageFlags.DigitalSignature, true));
        request.CertificateExtensions.Add(new X509SubjectKeyIdentifierExtension(request.PublicKey, false));
        return request;
    }

    private static CertificateRequest NodeRequest(RSA key, X509Certificate2 ca)
    {
        var request = new CertificateRequest("CN=acme-use1-es-1", key, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
        var names = new SubjectAlternativeNameBuilder();
        foreach (var dns in new[] { "acme-use1-es-1", "acme-use1", "localhost" }) names.AddDnsName(dns);
        names.AddIpAddress(IPAddress.Parse("10.30.0.11"));
        names.AddIpAddress(IPAddress.Loopback);
        request.CertificateExtensions.Add(names.Build(true));
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(false, false, 0, true));
        request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.DigitalSignature | X509KeyUsageFlags.KeyEncipherment, true));
        request.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension(
            [new Oid("1.3.6.1.5.5.7.3.1"), new Oid("1.3.6.1.5.5.7.3.2")], true));
        request.CertificateExtensions.Add(X509AuthorityKeyIdentifierExtension.CreateFromCertificate(ca, true, false));
        return request;
    }

    /// <summary>20 octets with the top bit clear: the longest serial number RFC 5280 allows.</summary>
    private static byte[] LongestSerial()
    {
        var serial = RandomNumberGenerator.GetBytes(20);
        serial[0] = 0x7f;
        return serial;
    }

    private static List<long> Lengths(params string[] values) => values.Select(v => (long)Encoding.UTF8.GetByteCount(v)).ToList();

    /// <summary>What Go's pem.Encode writes: BEGIN line, base64 in lines of 64 characters, END line, each ending in a newline.</summary>
    private static string GoPem(string label, byte[] der)
    {
        var base64 = Convert.ToBase64String(der);
        var text = new StringBuilder($"-----BEGIN {label}-----\n");
        for (var i = 0; i < base64.Length; i += 64) text.Append(base64.AsSpan(i, Math.Min(64, base64.Length - i))).Append('\n');
        return text.Append($"-----END {label}-----\n").ToString();
    }
}
