using System.Security.Cryptography;
using System.Text;

namespace EsDr.Recovery.Observe.Webhook;

/// <summary>
/// The shared bearer token. Only its SHA-256 digest is kept; comparison is constant-time over the
/// digests (so neither content nor length leaks). <see cref="ToString"/> never reveals it.
/// </summary>
internal sealed class WebhookToken
{
    private readonly byte[] digest;

    private WebhookToken(byte[] digest) => this.digest = digest;

    public static WebhookToken FromSecret(string secret)
    {
        ArgumentNullException.ThrowIfNull(secret);
        var trimmed = secret.Trim();
        if (trimmed.Length == 0)
        {
            throw new ArgumentException("the webhook token is empty", nameof(secret));
        }

        return new WebhookToken(SHA256.HashData(Encoding.UTF8.GetBytes(trimmed)));
    }

    /// <summary>Reads the token from a file (surrounding whitespace ignored).</summary>
    public static WebhookToken FromFile(string path) => FromSecret(File.ReadAllText(path));

    /// <summary>Reads the token from an environment variable.</summary>
    public static WebhookToken FromEnvironment(string variable) =>
        FromSecret(Environment.GetEnvironmentVariable(variable)
            ?? throw new InvalidOperationException($"environment variable {variable} is not set"));

    /// <summary>True when an Authorization header value is "Bearer &lt;this token&gt;".</summary>
    public bool Matches(string? authorizationHeader)
    {
        const string scheme = "Bearer ";
        var presented = authorizationHeader is not null && authorizationHeader.StartsWith(scheme, StringComparison.OrdinalIgnoreCase)
            ? authorizationHeader[scheme.Length..].Trim()
            : string.Empty;
        var presentedDigest = SHA256.HashData(Encoding.UTF8.GetBytes(presented));
        return CryptographicOperations.FixedTimeEquals(presentedDigest, digest) && presented.Length > 0;
    }

    public override string ToString() => "WebhookToken(***)";
}
