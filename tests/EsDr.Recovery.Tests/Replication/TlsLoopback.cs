using System.Net;
using System.Net.Security;
using System.Net.Sockets;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text;

using EsDr.Recovery.Tests.Support;

namespace EsDr.Recovery.Tests.Replication;

/// <summary>A CA made for one test and the server certificates it signs. Nothing touches a certificate store.</summary>
internal sealed class TestCa : IDisposable
{
    private readonly ECDsa key = ECDsa.Create(ECCurve.NamedCurves.nistP256);

    public TestCa(string name)
    {
        var request = new CertificateRequest($"CN={name}", key, HashAlgorithmName.SHA256);
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(true, false, 0, true));
        request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.KeyCertSign | X509KeyUsageFlags.CrlSign, true));
        request.CertificateExtensions.Add(new X509SubjectKeyIdentifierExtension(request.PublicKey, false));
        // The CA outlives every certificate it issues (issuing fails otherwise).
        Certificate = request.CreateSelfSigned(DateTimeOffset.UtcNow.AddMinutes(-5), DateTimeOffset.UtcNow.AddHours(2));
    }

    public X509Certificate2 Certificate { get; }

    /// <summary>Writes the CA certificate as PEM, as the stack's CA file is written.</summary>
    public string WritePem(string directory)
    {
        var path = Path.Combine(directory, "ca.crt");
        File.WriteAllText(path, Certificate.ExportCertificatePem());
        return path;
    }

    /// <summary>A server certificate with its key, naming 127.0.0.1 or, when given, only <paramref name="dnsName"/>.</summary>
    public X509Certificate2 Issue(string? dnsName = null)
    {
        using var serverKey = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest("CN=es-node", serverKey, HashAlgorithmName.SHA256);
        var san = new SubjectAlternativeNameBuilder();
        if (dnsName is null) san.AddIpAddress(IPAddress.Loopback);
        else san.AddDnsName(dnsName);
        request.CertificateExtensions.Add(san.Build());
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(false, false, 0, true));
        request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.DigitalSignature, true));
        request.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension([new Oid("1.3.6.1.5.5.7.3.1")], false));
        request.CertificateExtensions.Add(X509AuthorityKeyIdentifierExtension.CreateFromCertificate(Certificate, true, false));
        var serial = RandomNumberGenerator.GetBytes(16);
        serial[0] = (byte)((serial[0] & 0x7F) | 0x01);
        using var issued = request.Create(Certificate, DateTimeOffset.UtcNow.AddMinutes(-5), DateTimeOffset.UtcNow.AddHours(1), serial);
        using var withKey = issued.CopyWithPrivateKey(serverKey);
        // A PKCS#12 round trip gives a certificate whose key SslStream can use on every platform.
        return X509CertificateLoader.LoadPkcs12(withKey.Export(X509ContentType.Pkcs12), null);
    }

    public void Dispose()
    {
        Certificate.Dispose();
        key.Dispose();
    }
}

/// <summary>
/// An HTTPS server on 127.0.0.1 that presents <c>certificate</c> and answers every request with the specification's
/// cluster health example (green), as a 9.x server does (product header, content type), one request per connection.
/// </summary>
internal sealed class TlsLoopbackServer : IDisposable
{
    private readonly TcpListener listener = new(IPAddress.Loopback, 0);
    private readonly X509Certificate2 certificate;
    private readonly CancellationTokenSource stop = new();
    private readonly Task loop;

    public TlsLoopbackServer(X509Certificate2 certificate)
    {
        this.certificate = certificate;
        listener.Start();
        Url = new Uri($"https://127.0.0.1:{((IPEndPoint)listener.LocalEndpoint).Port}/");
        loop = Task.Run(ServeAsync);
    }

    public Uri Url { get; }

    private async Task ServeAsync()
    {
        while (!stop.IsCancellationRequested)
        {
            TcpClient client;
            try
            {
                client = await listener.AcceptTcpClientAsync(stop.Token);
            }
            catch (Exception e) when (e is OperationCanceledException or SocketException or ObjectDisposedException)
            {
                return;
            }
            _ = Task.Run(async () =>
            {
                using (client)
                {
                    try
                    {
                        using var tls = new SslStream(client.GetStream());
                        await tls.AuthenticateAsServerAsync(certificate);
                        var buffer = new byte[8192];
                        var seen = new StringBuilder();
                        while (!seen.ToString().Contains("\r\n\r\n", StringComparison.Ordinal))
                        {
                            var n = await tls.ReadAsync(buffer);
                            if (n == 0) return;
                            seen.Append(Encoding.ASCII.GetString(buffer, 0, n));
                        }
                        var body = SpecExamples.Load("cluster.health.response.json").ToJsonString();
                        var response = "HTTP/1.1 200 OK\r\nContent-Type: application/vnd.elasticsearch+json;compatible-with=9\r\n"
                            + $"{ElasticsearchWire.ProductHeader}: {ElasticsearchWire.Product}\r\nContent-Length: {Encoding.UTF8.GetByteCount(body)}\r\nConnection: close\r\n\r\n{body}";
                        await tls.WriteAsync(Encoding.UTF8.GetBytes(response));
                    }
                    catch (Exception e) when (e is IOException or System.Security.Authentication.AuthenticationException or ObjectDisposedException)
                    {
                        // the client refused our certificate: that is what some tests expect
                    }
                }
            });
        }
    }

    public void Dispose()
    {
        stop.Cancel();
        listener.Stop();
        try
        {
            loop.Wait(TimeSpan.FromSeconds(5));
        }
        catch (AggregateException)
        {
        }
        stop.Dispose();
        certificate.Dispose();
    }
}
