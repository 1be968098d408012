using System.Globalization;
using System.Net.Security;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Elastic.Clients.Elasticsearch;
using Elastic.Transport;
using Elastic.Transport.Products.Elasticsearch;
using HttpMethod = Elastic.Transport.HttpMethod;

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

    /// <summary>For the client's Authorization header, and nothing else.</summary>
    internal BasicAuthentication Transport() => new(User, password);

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

/// <summary>The request the client actually sent, from its call details: what plans are checked against and audits record.</summary>
/// <param name="Body">The body as sent (UTF-8), or null for none. Credentials travel only in a header, never here.</param>
public sealed record SentRequest(string Method, Uri Url, string? Body)
{
    public override string ToString() => Body is null ? $"{Method} {Url}" : $"{Method} {Url} {Body}";

    internal static SentRequest From(ApiCallDetails details) =>
        new(details.HttpMethod.ToString().ToUpperInvariant(), details.Uri ?? throw new InvalidOperationException("the client reported no request URL"),
            details.RequestBodyInBytes is { Length: > 0 } bytes ? Encoding.UTF8.GetString(bytes) : null);
}

/// <summary>An answer as received: status, body text, and the request the client sent for it.</summary>
public sealed record ElasticsearchAnswer(int StatusCode, string Body, SentRequest Sent)
{
    public bool IsSuccess => StatusCode is >= 200 and < 300;

    /// <summary>"<c>400 x_content_parse_exception: [1:2] unknown field [foo]</c>", from Elasticsearch's error body.</summary>
    public string Summary() => ErrorSummary.Of(StatusCode, Body);
}

/// <summary>Elasticsearch's error body (<c>{"error": {"type", "reason"}}</c>, or a proxy's text) in one line.</summary>
internal static class ErrorSummary
{
    public static string Of(int statusCode, string body)
    {
        string? type = null, reason = null;
        try
        {
            if (JsonNode.Parse(body) is JsonObject o)
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
        reason ??= body.Length > 300 ? body[..300] + "…" : body;
        return type is null ? $"{statusCode} {reason}".TrimEnd() : $"{statusCode} {type}: {reason}";
    }
}

/// <summary>
/// A request that failed: not answered (<see cref="Unreachable"/>, <see cref="TimedOut"/>), answered with an
/// error status (<see cref="StatusCode"/>), or answered by something that is not Elasticsearch.
/// </summary>
public sealed class ElasticsearchRequestException : Exception
{
    public ElasticsearchRequestException() { }

    public ElasticsearchRequestException(string message) : base(message) { }

    public ElasticsearchRequestException(string message, Exception inner) : base(message, inner) { }

    internal ElasticsearchRequestException(string? method, Uri url, int? statusCode, string message, Exception? inner = null, bool timedOut = false, bool answered = false)
        : base(message, inner)
    {
        Method = method;
        Url = url;
        StatusCode = statusCode;
        TimedOut = timedOut;
        this.answered = answered || statusCode is not null;
    }

    private readonly bool answered;

    /// <summary>The request's method; null when the client gave up before it had one.</summary>
    public string? Method { get; }

    /// <summary>The request's URL (the cluster's, when the client gave up before it had one); null for a refusal by the product check.</summary>
    public Uri? Url { get; }

    /// <summary>The HTTP status of the answer; null when there was none.</summary>
    public int? StatusCode { get; }

    /// <summary>No answer at all (refused, reset, TLS refused, timed out): the cluster could not be reached.</summary>
    public bool Unreachable => Url is not null && !answered;

    /// <summary>The request was sent but not answered within the timeout.</summary>
    public bool TimedOut { get; }
}

/// <summary>
/// One Elasticsearch cluster through the official client (<see cref="ElasticsearchClient"/>, 9.x): basic auth,
/// TLS verified against the stack's CA only, the client's product check on (an answer without
/// <c>X-Elastic-Product: Elasticsearch</c> is refused), one node, no retries, a bounded timeout. Every answer is
/// checked (<see cref="Checked{T}"/>): an error status never reaches a caller as a default-valued response.
/// Knows nothing of replication.
/// </summary>
public sealed class ElasticsearchConnection : IDisposable
{
    private readonly X509Certificate2? ca;

    private ElasticsearchConnection(Uri baseUrl, ElasticsearchClient client, TimeSpan timeout, X509Certificate2? ca)
    {
        BaseUrl = baseUrl;
        Client = client;
        Timeout = timeout;
        this.ca = ca;
    }

    /// <summary>The official client, for typed calls; pass their responses through <see cref="Checked{T}"/>.</summary>
    public ElasticsearchClient Client { get; }

    /// <summary>The cluster's URL, without credentials and with a trailing slash.</summary>
    public Uri BaseUrl { get; }

    public TimeSpan Timeout { get; }

    /// <summary>
    /// A connection to <paramref name="endpoint"/>. Over https the stack's CA (file or PEM text) is required and is
    /// the only trust anchor: the server's chain must end at it, the system's trust store plays no part.
    /// Plain http (loopback tests) has no TLS to verify.
    /// </summary>
    public static ElasticsearchConnection Create(ElasticsearchEndpoint endpoint, ElasticsearchCredentials? credentials, TimeSpan? timeout = null)
    {
        ArgumentNullException.ThrowIfNull(endpoint);
        var baseUrl = CheckedBase(endpoint.Url);
        if (endpoint.CaCertificateFile is not null && endpoint.CaCertificatePem is not null)
            throw new ArgumentException("give the CA certificate as a file or as PEM text, not both", nameof(endpoint));
        var hasCa = endpoint.CaCertificateFile is not null || endpoint.CaCertificatePem is not null;
        if (hasCa && baseUrl.Scheme != Uri.UriSchemeHttps)
            throw new ArgumentException($"a CA certificate is given but {baseUrl} is not https", nameof(endpoint));
        if (!hasCa && baseUrl.Scheme == Uri.UriSchemeHttps)
            throw new ArgumentException($"{baseUrl} is https but no CA certificate is given: the stack's CA is the only trust anchor", nameof(endpoint));
        if (!hasCa && !endpoint.VerifyHostname)
            throw new ArgumentException("turning host name verification off needs a CA certificate", nameof(endpoint));

        var ca = !hasCa ? null : endpoint.CaCertificateFile is not null ? CaTrust.Load(endpoint.CaCertificateFile) : CaTrust.FromPem(endpoint.CaCertificatePem!);
        var bound = timeout ?? TimeSpan.FromMinutes(5);
        var settings = new ElasticsearchClientSettings(new SingleNodePool(baseUrl))
            .RequestTimeout(bound)
            .MaxRetryTimeout(bound)
            // One node, and each call of recovery is itself bounded and retried (or not) by its caller.
            .MaximumRetries(0)
            .DisablePing()
            // Bodies are small; uncompressed, the call details (and a packet capture) show them as sent.
            .EnableHttpCompression(false);
        if (credentials is not null) settings = settings.Authentication(credentials.Transport());
        if (ca is not null)
        {
            var verifyHostname = endpoint.VerifyHostname;
            settings = settings.ServerCertificateValidationCallback((_, certificate, chain, errors) =>
                CaTrust.IsTrusted(certificate as X509Certificate2 ?? (certificate is null ? null : X509CertificateLoader.LoadCertificate(certificate.GetRawCertData())),
                    chain, errors, ca, verifyHostname));
        }
        return new ElasticsearchConnection(baseUrl, new ElasticsearchClient(settings), bound, ca);
    }

    /// <summary>
    /// A connection whose requests go to <paramref name="invoker"/> instead of the network (the client's own
    /// extension point; tests hand an in-memory stand-in): one node, no retries, product check on; no TLS, no auth.
    /// </summary>
    internal static ElasticsearchConnection WithInvoker(Uri url, IRequestInvoker invoker)
    {
        var baseUrl = CheckedBase(url);
        var settings = new ElasticsearchClientSettings(new SingleNodePool(baseUrl), invoker).MaximumRetries(0).DisablePing();
        return new ElasticsearchConnection(baseUrl, new ElasticsearchClient(settings), TimeSpan.FromMinutes(5), null);
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

    /// <summary>
    /// Runs one typed call of the client and returns its response when valid; otherwise throws
    /// <see cref="ElasticsearchRequestException"/> (unreachable, timed out, an error status, not Elasticsearch).
    /// </summary>
    public async Task<T> CallAsync<T>(Func<ElasticsearchClient, CancellationToken, Task<T>> call, CancellationToken cancellationToken)
        where T : ElasticsearchResponse =>
        Checked(await InvokeAsync(call, cancellationToken).ConfigureAwait(false));

    /// <summary>
    /// Runs one typed call of the client: no answer or an answer that is not Elasticsearch's throws
    /// <see cref="ElasticsearchRequestException"/>; any answer is returned unchecked.
    /// </summary>
    private async Task<T> InvokeAsync<T>(Func<ElasticsearchClient, CancellationToken, Task<T>> call, CancellationToken cancellationToken)
        where T : ElasticsearchResponse
    {
        ArgumentNullException.ThrowIfNull(call);
        T response;
        try
        {
            response = await call(Client, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception e) when (e is not OperationCanceledException && cancellationToken.IsCancellationRequested)
        {
            // A cancelled caller is not a failed cluster: cancellation stays cancellation (a crash, a shutdown).
            throw new OperationCanceledException("the Elasticsearch call was cancelled", e, cancellationToken);
        }
        catch (TransportException e)
        {
            throw e.ApiCallDetails is null ? NoDetails(e) : Failure(e.ApiCallDetails, null, e);
        }
        catch (UnsupportedProductException e)
        {
            throw NotElasticsearch(e);
        }
        cancellationToken.ThrowIfCancellationRequested();
        return response;
    }

    /// <summary>
    /// Runs one typed call and returns its answer whatever its status, as <see cref="SendAsync"/> does for an exact
    /// request: status, body (when the request buffers it) and the request as the client sent it. Only no answer, or
    /// an answer that is not Elasticsearch's, throws.
    /// </summary>
    public async Task<ElasticsearchAnswer> AnswerAsync(Func<ElasticsearchClient, CancellationToken, Task<ElasticsearchResponse>> call, CancellationToken cancellationToken)
    {
        var response = await InvokeAsync(call, cancellationToken).ConfigureAwait(false);
        var details = response.ApiCallDetails;
        if (details.HttpStatusCode is not { } status) throw Failure(details, null, null);
        var body = details.ResponseBodyInBytes is { Length: > 0 } bytes ? Encoding.UTF8.GetString(bytes) : "";
        return new ElasticsearchAnswer(status, body, SentRequest.From(details));
    }

    /// <summary>The response when <see cref="ElasticsearchResponse.IsValidResponse"/>; otherwise the failure, as an exception.</summary>
    public T Checked<T>(T response) where T : ElasticsearchResponse
    {
        ArgumentNullException.ThrowIfNull(response);
        if (response.IsValidResponse) return response;
        var error = response.ElasticsearchServerError?.Error;
        var summary = error is null ? null
            : $"{response.ApiCallDetails.HttpStatusCode?.ToString(CultureInfo.InvariantCulture)} {error.Type}: {error.Reason}";
        throw Failure(response.ApiCallDetails, summary, null);
    }

    /// <summary>
    /// Sends one exact request through the client's transport (the low-level API: method, path and body as given,
    /// product check, auth and TLS as for typed calls) and returns the answer whatever its status; only a request
    /// that got no answer, or an answer that is not Elasticsearch's, throws. Used where the request is data that was
    /// planned, printed and stored before it is sent, so the call sent is byte for byte the one approved.
    /// </summary>
    public async Task<ElasticsearchAnswer> SendAsync(string method, string pathAndQuery, string? jsonBody, CancellationToken cancellationToken)
    {
        var url = UrlOf(pathAndQuery);
        var path = new EndpointPath(ParseMethod(method), pathAndQuery);
        // The body is buffered so that the call details carry it (the audit records what was sent); bodies are small.
        // The product header is read so that this answer is held to the product check too.
        var configuration = new RequestConfiguration { DisableDirectStreaming = true, ResponseHeadersToParse = new HeadersList(ProductHeader) };
        StringResponse response;
        try
        {
            response = await Client.Transport.RequestAsync<StringResponse>(
                path, jsonBody is null ? null : PostData.String(jsonBody), null, configuration, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception e) when (e is not OperationCanceledException && cancellationToken.IsCancellationRequested)
        {
            throw new OperationCanceledException("the Elasticsearch call was cancelled", e, cancellationToken);
        }
        catch (TransportException e)
        {
            throw e.ApiCallDetails is null ? NoDetails(e) : Failure(e.ApiCallDetails, null, e);
        }
        cancellationToken.ThrowIfCancellationRequested();
        var details = response.ApiCallDetails;
        if (details.HttpStatusCode is not { } status || (details.HasSuccessfulStatusCode && !NotAnotherProduct(details)))
            throw Failure(details, null, null);
        return new ElasticsearchAnswer(status, response.Body ?? "", SentRequest.From(details));
    }

    /// <summary>GETs JSON through <see cref="SendAsync"/>; an error status throws with Elasticsearch's error type and reason.</summary>
    public async Task<JsonNode> GetJsonAsync(string pathAndQuery, CancellationToken cancellationToken)
    {
        var answer = await SendAsync("GET", pathAndQuery, null, cancellationToken).ConfigureAwait(false);
        if (!answer.IsSuccess)
            throw new ElasticsearchRequestException("GET", answer.Sent.Url, answer.StatusCode, $"GET {answer.Sent.Url} answered {answer.Summary()}");
        try
        {
            return JsonNode.Parse(answer.Body) ?? throw new JsonException("null document");
        }
        catch (JsonException e)
        {
            throw new ElasticsearchRequestException("GET", answer.Sent.Url, answer.StatusCode, $"GET {answer.Sent.Url} answered {answer.StatusCode} with a body that is not JSON", e);
        }
    }

    public void Dispose()
    {
        (Client.Transport as IDisposable)?.Dispose();
        ca?.Dispose();
    }

    /// <summary>The transport checks the product header on typed calls; a raw call's answer is held to the same rule.</summary>
    private static bool NotAnotherProduct(ApiCallDetails details) =>
        details.TryGetHeader(ProductHeader, out var values) && values.Contains("Elasticsearch", StringComparer.Ordinal);

    private const string ProductHeader = "x-elastic-product";

    private ElasticsearchRequestException Failure(ApiCallDetails details, string? summary, Exception? thrown)
    {
        var method = details.HttpMethod.ToString().ToUpperInvariant();
        var url = details.Uri ?? BaseUrl;
        var cause = thrown ?? details.OriginalException;
        if (details.HttpStatusCode is not { } status)
        {
            var timedOut = Chain(cause).Any(e => e is TimeoutException or TaskCanceledException or OperationCanceledException);
            return timedOut
                ? new ElasticsearchRequestException(method, url, null, $"{method} {url} timed out after {Timeout}", cause, timedOut: true)
                : new ElasticsearchRequestException(method, url, null, $"{method} {url} failed: {Innermost(cause)}", cause);
        }
        if (details.HasSuccessfulStatusCode)
        {
            // Answered, but not as Elasticsearch: the product check refused it, or the body is not what the API returns.
            var why = NotAnotherProduct(details)
                ? $"a body the client cannot read ({Innermost(cause)})"
                : "no 'X-Elastic-Product: Elasticsearch' header: the server is not Elasticsearch (or a proxy answered); refused";
            return new ElasticsearchRequestException(method, url, status, $"{method} {url} answered {status} with {why}", cause);
        }
        var body = details.ResponseBodyInBytes is { Length: > 0 } bytes ? Encoding.UTF8.GetString(bytes) : "";
        return new ElasticsearchRequestException(method, url, status, $"{method} {url} answered {summary ?? ErrorSummary.Of(status, body)}", cause);
    }

    /// <summary>The client's product check: a 2xx answer without <c>X-Elastic-Product: Elasticsearch</c>.</summary>
    private ElasticsearchRequestException NotElasticsearch(UnsupportedProductException e) =>
        new($"{BaseUrl} answered without 'X-Elastic-Product: Elasticsearch': it is not Elasticsearch (or a proxy answered); the client refuses it", e);

    /// <summary>
    /// The client failed without call details. When it choked on the answer's body (the typed client reads an error
    /// answer as Elasticsearch's error JSON; a proxy's page is none), the cluster's address answered — not unreachable,
    /// though the client no longer tells the status. Otherwise nothing was answered.
    /// </summary>
    private ElasticsearchRequestException NoDetails(TransportException e) =>
        Chain(e).Any(x => x is JsonException)
            ? new(null, BaseUrl, null, $"{BaseUrl} answered with a body that is not Elasticsearch's JSON (a proxy's page?); the client could not read it: {Innermost(e)}", e, answered: true)
            : new(null, BaseUrl, null, $"{BaseUrl} could not be asked: {Innermost(e)}", e);

    private static IEnumerable<Exception> Chain(Exception? e)
    {
        for (; e is not null; e = e.InnerException) yield return e;
    }

    private static string Innermost(Exception? e) => Chain(e).LastOrDefault()?.Message ?? "no answer";

    private static HttpMethod ParseMethod(string method) => method switch
    {
        "GET" => HttpMethod.GET,
        "POST" => HttpMethod.POST,
        "PUT" => HttpMethod.PUT,
        "DELETE" => HttpMethod.DELETE,
        "HEAD" => HttpMethod.HEAD,
        _ => throw new ArgumentException($"unsupported HTTP method '{method}'", nameof(method)),
    };

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
