using System.Net;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace EsDr.TestSupport;

/// <summary>
/// A throwaway CA and one server certificate for 127.0.0.1 (an IP SAN, so the replica's verification of
/// the primary's name is exercised), written as the PEM files MariaDB loads. Shared by the renderer tests, the
/// recovery tests and the recovery benchmark.
/// </summary>
internal sealed record TestTls(string CaPath, string CertificatePath, string KeyPath)
{
    public static TestTls Write(string dir)
    {
        Directory.CreateDirectory(dir);
        var notBefore = DateTimeOffset.UtcNow.AddMinutes(-5);
        var notAfter = DateTimeOffset.UtcNow.AddDays(1);

        using var caKey = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var caRequest = new CertificateRequest("CN=EsDr database test CA", caKey, HashAlgorithmName.SHA256);
        caRequest.CertificateExtensions.Add(new X509BasicConstraintsExtension(true, false, 0, true));
        caRequest.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.KeyCertSign | X509KeyUsageFlags.CrlSign, true));
        caRequest.CertificateExtensions.Add(new X509SubjectKeyIdentifierExtension(caRequest.PublicKey, false));
        using var ca = caRequest.CreateSelfSigned(notBefore, notAfter);

        using var serverKey = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest("CN=127.0.0.1", serverKey, HashAlgorithmName.SHA256);
        var san = new SubjectAlternativeNameBuilder();
        san.AddIpAddress(IPAddress.Loopback);
        request.CertificateExtensions.Add(san.Build());
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(false, false, 0, true));
        request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.DigitalSignature, true));
        request.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension([new Oid("1.3.6.1.5.5.7.3.1")], false));
        request.CertificateExtensions.Add(X509AuthorityKeyIdentifierExtension.CreateFromCertificate(ca, true, false));
        var serial = RandomNumberGenerator.GetBytes(16);
        serial[0] &= 0x7F; // a positive DER integer
        using var server = request.Create(ca, notBefore, notAfter, serial);

        var tls = new TestTls(Path.Combine(dir, "ca.pem"), Path.Combine(dir, "server.pem"), Path.Combine(dir, "server-key.pem"));
        File.WriteAllText(tls.CaPath, ca.ExportCertificatePem());
        File.WriteAllText(tls.CertificatePath, server.ExportCertificatePem());
        File.WriteAllText(tls.KeyPath, serverKey.ExportPkcs8PrivateKeyPem());
        return tls;
    }
}
