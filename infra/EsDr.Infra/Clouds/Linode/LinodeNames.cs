using System.Security.Cryptography;
using System.Text;

namespace EsDr.Infra.Clouds.Linode;

/// <summary>Fits names into Linode's label limits without making two different names collide.</summary>
internal static class LinodeNames
{
    private const int HashLength = 8;

    /// <summary>
    /// <paramref name="text"/> when it fits in <paramref name="max"/> characters; otherwise its start, a dash and
    /// eight hex digits of its SHA-256, so the result is stable across runs and distinct for distinct inputs.
    /// </summary>
    public static string Fit(string text, int max)
    {
        if (text.Length <= max) return text;
        var hash = Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(text)))[..HashLength];
        return $"{text[..(max - HashLength - 1)].TrimEnd('-', '_', '.')}-{hash}";
    }
}
