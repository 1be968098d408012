using System.Net;
using System.Net.Sockets;

namespace EsDr.Infra.Topology;

/// <summary>An IPv4 network in CIDR notation; enough arithmetic for our address plan.</summary>
public readonly record struct Ipv4Cidr(uint Network, int PrefixLength)
{
    public static bool TryParse(string text, out Ipv4Cidr cidr)
    {
        cidr = default;
        var parts = text.Split('/');
        if (parts.Length != 2 || !IPAddress.TryParse(parts[0], out var ip) || ip.AddressFamily != AddressFamily.InterNetwork) return false;
        if (!int.TryParse(parts[1], out var prefix) || prefix is < 0 or > 32) return false;
        var value = ToUInt(ip);
        var mask = Mask(prefix);
        if ((value & ~mask) != 0) return false; // host bits set: 10.0.0.5/24 is ambiguous, refuse it
        cidr = new Ipv4Cidr(value, prefix);
        return true;
    }

    public static Ipv4Cidr Parse(string text) =>
        TryParse(text, out var c) ? c : throw new FormatException($"'{text}' is not an IPv4 network in CIDR notation");

    public uint Size => PrefixLength == 0 ? uint.MaxValue : 1u << (32 - PrefixLength);

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

    private static uint Mask(int prefix) => prefix == 0 ? 0 : uint.MaxValue << (32 - prefix);
    private static uint ToUInt(IPAddress ip) { var b = ip.GetAddressBytes(); return (uint)(b[0] << 24 | b[1] << 16 | b[2] << 8 | b[3]); }
    private static string ToText(uint v) => $"{v >> 24}.{(v >> 16) & 255}.{(v >> 8) & 255}.{v & 255}";
}
