using System.Net.Http.Headers;
using System.Net.Security;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace EsDr.Recovery.Replication;

/// <summary>
/// Basic-auth credentials. The password is only ever put into the Authorization header: it is not part
/// of <see cref="ToString"/>, of any message, or of any dry-run output.
/// </summary>
public sealed class ElasticsearchCredentials
{
    private readonly string password;

    public ElasticsearchCredentials(string user, string password)
    {
        ArgumentException.ThrowIfNullOrEmpty(user);
        if (string.IsNullOrEmpty(password)) throw new ArgumentException("the password is empty", nameof(password));
        User = user;
        this.password = password;
    }

    public string User { get; }

    /// <summary>
    /// Reads the user and password from the named environment variables (the command's environment).
    /// Neither set: null (no authentication). Only one set: an error naming the missing variable.
    /// </summary>
    public static ElasticsearchCredentials? FromEnvironment(string userVariable, string passwordVariable, Func<string, string?>? read = null)
    {
        read ??= Environment.GetEnvironmentVariable;
        var user = read(userVariable);
        var password = read(passwordVariable);
        if (string.IsNullOrEmpty(user) && string.IsNullOrEmpty(password)) return null;
        if (string.IsNullOrEmpty(user)) throw new InvalidOperationException($"{passwordVariable} is set but {userVariable} is not");
        if (string.IsNullOrEmpty(password)) throw new InvalidOperationException($"{userVariable} is set but {passwordVariable} is not");
        return new ElasticsearchCredentials(user, password);
    }

    internal AuthenticationHeaderValue Header() =>
        new("Basic", Convert.ToBase64String(Encoding.UTF8.GetBytes($"{User}:{password}")));

    public override string ToString() => $"{User}:<redacted>";
}

/// <summary>Where a cluster answers and how its TLS certificate is checked.</summary>
/// <param name="CaCertificateFile">PEM file of the stack's CA: the server's chain must end at it.</param>
/// <remarks>
/// <see cref="CaCertificatePem"/> gives the CA as PEM text instead of a file (e.g. from an environment
/// variable a <c>command:local:Command</c> sets from the stack's <c>tls</c> resource).
/// </remarks>
/// <param name="VerifyHostname">
/// Also require the URL's host in the certificate's names. Turn off only where a balancer hands TLS
/// through to nodes whose certificates name the nodes, not the balancer; the chain is still checked.
/// </param>
public sealed record ElasticsearchEndpoint(Uri Url, string? CaCertificateFile = null, bool VerifyHostname = true)
{
    public string? CaCertificatePem { get; init; }
}

/// <summary>A response as received: status and body text.</summary>
public sealed record ElasticsearchResponse(int StatusCode, string Body)
{
    public bool IsSuccess => StatusCode is >= 200 and < 300;

    /// <summary>"<c>400 x_content_parse_exception: [1:2] unknown field [foo]</c>", from Elasticsearch's error body.</summary>
    public string Summary()
    {
        string? type = null, reason = null;
        try
        {
            if (JsonNode.Parse(Body) is JsonObject o)
            {
                switch (o["error"])
                {
                    case JsonObject e:
                        type = e["type"]?.GetValue<string>();
                        reason = e["reason"]?.GetValue<string>();
                        break;
                    case JsonValue v when v.TryGetValue<string>(out var s):
                        reason = s;
                        break;
                }
                reason ??= o["error_message"]?.GetValue<string>();
            }
        }
        catch (Exception e) when (e is JsonException or InvalidOperationException or FormatException)
        {
            // not JSON (a proxy's HTML page): fall back to the text
        }
        reason ??= Body.Length > 300 ? Body[..300] + "…" : Body;
        return type is null ? $"{StatusCode} {reason}".TrimEnd() : $"{StatusCode} {type}: {reason}";
    }
}

/// <summary>A request that failed: not sent, timed out, or answered with an error status.</summary>
public sealed class ElasticsearchRequestException : Exception
{
    public ElasticsearchRequestException() { }

    public ElasticsearchRequestException(string message) : base(message) { }

    public ElasticsearchRequestException(string message, Exception inner) : base(message, inner) { }

    internal ElasticsearchRequestException(string method, Uri url, ElasticsearchResponse? response, string message, Exception? inner = null)
        : base(message, inner)
    {
        Method = method;
        Url = url;
        Response = response;
    }

    public string? Method { get; }
    public Uri? Url { get; }

    /// <summary>The answer, when there was one.</summary>
    public ElasticsearchResponse? Response { get; }
}

/// <summary>
/// The thin edge to one Elasticsearch cluster: JSON over <see cref="HttpClient"/>, basic auth, and TLS
/// verified against the stack's CA. Knows nothing of replication.
/// </summary>
public sealed class ElasticsearchHttp : IDisposable
{
    private readonly HttpClient client;
    private readonly AuthenticationHeaderValue? authorization;
    private readonly IDisposable? owned;

    /// <summary>Uses <paramref name="handler"/> as given (tests pass their own); it is disposed with this.</summary>
    public ElasticsearchHttp(Uri baseUrl, ElasticsearchCredentials? credentials, HttpMessageHandler handler, TimeSpan? timeout = null)
        : this(baseUrl, credentials, handler, timeout, null)
    {
    }

    private ElasticsearchHttp(Uri baseUrl, ElasticsearchCredentials? credentials, HttpMessageHandler handler, TimeSpan? timeout, IDisposable? owned)
    {
        ArgumentNullException.ThrowIfNull(baseUrl);
        ArgumentNullException.ThrowIfNull(handler);
        BaseUrl = CheckedBase(baseUrl);
        authorization = credentials?.Header();
        client = new HttpClient(handler, disposeHandler: true) { Timeout = timeout ?? TimeSpan.FromMinutes(5) };
        this.owned = owned;
    }

    /// <summary>The cluster's URL, without credentials and with a trailing slash.</summary>
    public Uri BaseUrl { get; }

    /// <summary>
    /// A client for <paramref name="endpoint"/>. With a CA file, the server's chain must end at that CA
    /// (the system's trust store plays no part); without one, the system's trust store decides.
    /// </summary>
    public static ElasticsearchHttp Create(ElasticsearchEndpoint endpoint, ElasticsearchCredentials? credentials, TimeSpan? timeout = null)
    {
        ArgumentNullException.ThrowIfNull(endpoint);
        var baseUrl = CheckedBase(endpoint.Url);
        if (endpoint.CaCertificateFile is not null && endpoint.CaCertificatePem is not null)
            throw new ArgumentException("give the CA certificate as a file or as PEM text, not both", nameof(endpoint));
        if (endpoint.CaCertificateFile is null && endpoint.CaCertificatePem is null)
        {
            if (!endpoint.VerifyHostname) throw new ArgumentException("turning host name verification off needs a CA certificate file", nameof(endpoint));
            return new ElasticsearchHttp(baseUrl, credentials, new HttpClientHandler(), timeout, null);
        }
        if (baseUrl.Scheme != Uri.UriSchemeHttps)
            throw new ArgumentException($"a CA certificate is given but {baseUrl} is not https", nameof(endpoint));
        var ca = endpoint.CaCertificateFile is not null ? CaTrust.Load(endpoint.CaCertificateFile) : CaTrust.FromPem(endpoint.CaCertificatePem!);
        var verifyHostname = endpoint.VerifyHostname;
        var handler = new HttpClientHandler
        {
            ServerCertificateCustomValidationCallback = (_, certificate, chain, errors) =>
                CaTrust.IsTrusted(certificate, chain, errors, ca, verifyHostname),
        };
        return new ElasticsearchHttp(baseUrl, credentials, handler, timeout, ca);
    }

    /// <summary>The absolute URL of <paramref name="pathAndQuery"/> (which starts with '/').</summary>
    public Uri UrlOf(string pathAndQuery)
    {
        ArgumentNullException.ThrowIfNull(pathAndQuery);
        return Combine(BaseUrl, pathAndQuery);
    }

    /// <summary><paramref name="baseUrl"/> joined with <paramref name="pathAndQuery"/> (which starts with '/').</summary>
    public static Uri Combine(Uri baseUrl, string pathAndQuery)
    {
        ArgumentNullException.ThrowIfNull(baseUrl);
        ArgumentNullException.ThrowIfNull(pathAndQuery);
        if (!pathAndQuery.StartsWith('/')) throw new ArgumentException($"path must start with '/': {pathAndQuery}", nameof(pathAndQuery));
        return new Uri(baseUrl.AbsoluteUri.TrimEnd('/') + pathAndQuery);
    }

    /// <summary>Sends one request; any answered status is returned, only transport failures throw.</summary>
    public async Task<ElasticsearchResponse> SendAsync(string method, string pathAndQuery, string? jsonBody, CancellationToken cancellationToken)
    {
        var url = UrlOf(pathAndQuery);
        using var request = new HttpRequestMessage(new HttpMethod(method), url);
        request.Headers.Authorization = authorization;
        request.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue("application/json"));
        if (jsonBody is not null) request.Content = new StringContent(jsonBody, Encoding.UTF8, "application/json");
        try
        {
            using var response = await client.SendAsync(request, cancellationToken).ConfigureAwait(false);
            var body = await response.Content.ReadAsStringAsync(cancellationToken).ConfigureAwait(false);
            return new ElasticsearchResponse((int)response.StatusCode, body);
        }
        catch (HttpRequestException e)
        {
            throw new ElasticsearchRequestException(method, url, null, $"{method} {url} failed: {e.Message}", e);
        }
        catch (TaskCanceledException e) when (!cancellationToken.IsCancellationRequested)
        {
            throw new ElasticsearchRequestException(method, url, null, $"{method} {url} timed out after {client.Timeout}", e);
        }
    }

    /// <summary>GETs JSON; an error status throws with Elasticsearch's error type and reason.</summary>
    public async Task<JsonNode> GetJsonAsync(string pathAndQuery, CancellationToken cancellationToken)
    {
        var response = await SendAsync("GET", pathAndQuery, null, cancellationToken).ConfigureAwait(false);
        var url = UrlOf(pathAndQuery);
        if (!response.IsSuccess)
            throw new ElasticsearchRequestException("GET", url, response, $"GET {url} answered {response.Summary()}");
        try
        {
            return JsonNode.Parse(response.Body) ?? throw new JsonException("null document");
        }
        catch (JsonException e)
        {
            throw new ElasticsearchRequestException("GET", url, response, $"GET {url} answered {response.StatusCode} with a body that is not JSON", e);
        }
    }

    public void Dispose()
    {
        client.Dispose();
        owned?.Dispose();
    }

    private static Uri CheckedBase(Uri url)
    {
        if (!url.IsAbsoluteUri || (url.Scheme != Uri.UriSchemeHttp && url.Scheme != Uri.UriSchemeHttps))
            throw new ArgumentException("the Elasticsearch URL must be an absolute http(s) URL", nameof(url));
        // Never echo such a URL: it carries a secret.
        if (!string.IsNullOrEmpty(url.UserInfo))
            throw new ArgumentException("the Elasticsearch URL must not carry credentials; pass them through environment variables", nameof(url));
        if (!string.IsNullOrEmpty(url.Query) || !string.IsNullOrEmpty(url.Fragment))
            throw new ArgumentException($"the Elasticsearch URL must not have a query or fragment: {url.GetLeftPart(UriPartial.Path)}", nameof(url));
        return new Uri(url.AbsoluteUri.TrimEnd('/') + "/");
    }
}

/// <summary>Certificate checks against one CA, as every node's HTTP certificate is issued by the stack's CA.</summary>
public static class CaTrust
{
    public static X509Certificate2 Load(string pemFile)
    {
        ArgumentNullException.ThrowIfNull(pemFile);
        try
        {
            return X509Certificate2.CreateFromPem(File.ReadAllText(pemFile));
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or System.Security.Cryptography.CryptographicException or ArgumentException)
        {
            throw new InvalidOperationException($"cannot read the CA certificate {pemFile}: {e.Message}", e);
        }
    }

    public static X509Certificate2 FromPem(string pem)
    {
        ArgumentNullException.ThrowIfNull(pem);
        try
        {
            return X509Certificate2.CreateFromPem(pem);
        }
        catch (Exception e) when (e is System.Security.Cryptography.CryptographicException or ArgumentException)
        {
            throw new InvalidOperationException($"the CA certificate PEM text cannot be read: {e.Message}", e);
        }
    }

    /// <summary>
    /// True when <paramref name="certificate"/> chains up to <paramref name="ca"/> (intermediates may come
    /// from the presented chain; only <paramref name="ca"/> is trusted as a root) and, when asked, names the host.
    /// </summary>
    public static bool IsTrusted(X509Certificate2? certificate, X509Chain? presented, SslPolicyErrors errors, X509Certificate2 ca, bool verifyHostname)
    {
        ArgumentNullException.ThrowIfNull(ca);
        if (certificate is null || errors.HasFlag(SslPolicyErrors.RemoteCertificateNotAvailable)) return false;
        if (verifyHostname && errors.HasFlag(SslPolicyErrors.RemoteCertificateNameMismatch)) return false;
        using var chain = new X509Chain();
        chain.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
        chain.ChainPolicy.CustomTrustStore.Add(ca);
        chain.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
        if (presented is not null)
        {
            foreach (var element in presented.ChainElements)
                if (!element.Certificate.RawData.AsSpan().SequenceEqual(certificate.RawData)) chain.ChainPolicy.ExtraStore.Add(element.Certificate);
        }
        return chain.Build(certificate);
    }
}
