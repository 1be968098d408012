using System.Globalization;

namespace EsDr.Infra.Topology;

/// <summary>An IPv4 network in CIDR notation; enough arithmetic for our address plan.</summary>
public readonly record struct Ipv4Cidr(uint Network, int PrefixLength)
{
    /// <summary>Parses only the canonical spelling (<see cref="Problem"/>), so what is checked is what is emitted.</summary>
    public static bool TryParse(string text, out Ipv4Cidr cidr) => Read(text, out cidr) is null;

    public static Ipv4Cidr Parse(string text) =>
        Read(text, out var c) is { } problem ? throw new FormatException($"'{text}' is not an IPv4 network in CIDR notation: {problem}") : c;

    /// <summary>
    /// Why <paramref name="text"/> is not an IPv4 network in canonical CIDR notation, or null when it is: four decimal
    /// numbers 0–255 without leading zeros, a slash, a plain prefix length 0–32, no host bits set. Anything looser
    /// means different networks to different readers: .NET and inet_aton read <c>010.0.0.0</c> as 8.0.0.0, int parsers
    /// take <c>+0</c>, and <c>10.0.0.5/24</c> is a host to one tool and its network to another.
    /// </summary>
    public static string? Problem(string text) => Read(text, out _);

    /// <summary>A single address (<c>a.b.c.d</c>, canonical as above) as a /32.</summary>
    public static bool TryParseAddress(string text, out Ipv4Cidr cidr) => Read($"{text}/32", out cidr) is null;

    public uint Size => PrefixLength == 0 ? uint.MaxValue : 1u << (32 - PrefixLength);

    /// <summary>The number of addresses, 2^32 for /0 (which <see cref="Size"/> cannot hold).</summary>
    public long AddressCount => 1L << (32 - PrefixLength);

    /// <summary>The last address of the network.</summary>
    public uint Last => Network | ~Mask(PrefixLength);

    public bool Overlaps(Ipv4Cidr other)
    {
        var prefix = Math.Min(PrefixLength, other.PrefixLength);
        return (Network & Mask(prefix)) == (other.Network & Mask(prefix));
    }

    /// <summary>RFC 1918 private space: the only place a region's private network may live.</summary>
    public bool IsPrivate =>
        Within(Parse("10.0.0.0/8")) || Within(Parse("172.16.0.0/12")) || Within(Parse("192.168.0.0/16"));

    public bool Within(Ipv4Cidr outer) => PrefixLength >= outer.PrefixLength && (Network & Mask(outer.PrefixLength)) == outer.Network;

    /// <summary>The address at <paramref name="offset"/> from the network address.</summary>
    public string Host(uint offset) => offset < Size ? ToText(Network + offset) : throw new ArgumentOutOfRangeException(nameof(offset));

    /// <summary>The <paramref name="index"/>-th subnet of the given prefix length.</summary>
    public Ipv4Cidr Subnet(int prefixLength, int index) => new(Network + ((uint)index << (32 - prefixLength)), prefixLength);

    public override string ToString() => $"{ToText(Network)}/{PrefixLength}";

    private static string? Read(string text, out Ipv4Cidr cidr)
    {
        cidr = default;
        if (text.Contains(':', StringComparison.Ordinal)) return "an IPv6 network; only IPv4 networks are supported";
        var slash = text.Split('/');
        if (slash.Length != 2) return "not a network address and prefix length (a.b.c.d/n)";
        var octets = slash[0].Split('.');
        if (octets.Length != 4) return "the address must be four numbers separated by dots";
        uint value = 0;
        foreach (var octet in octets)
        {
            if (Number(octet, 255) is not { } n) return $"'{octet}' is not a number from 0 to 255 written without leading zeros";
            value = value << 8 | (uint)n;
        }
        if (Number(slash[1], 32) is not { } prefix) return $"'{slash[1]}' is not a prefix length from 0 to 32 written as a plain number";
        var network = value & Mask(prefix);
        if (network != value) return $"host bits are set; the network is {ToText(network)}/{prefix}";
        cidr = new Ipv4Cidr(value, prefix);
        return null;
    }

    /// <summary>A decimal number in its only spelling: digits, no sign, no leading zero, at most <paramref name="max"/>.</summary>
    private static int? Number(string text, int max)
    {
        if (text.Length is 0 or > 3 || !text.All(char.IsAsciiDigit) || (text.Length > 1 && text[0] == '0')) return null;
        var n = int.Parse(text, NumberStyles.None, CultureInfo.InvariantCulture);
        return n <= max ? n : null;
    }

    private static uint Mask(int prefix) => prefix == 0 ? 0 : uint.MaxValue << (32 - prefix);
    private static string ToText(uint v) => $"{v >> 24}.{(v >> 16) & 255}.{(v >> 8) & 255}.{v & 255}";
}
