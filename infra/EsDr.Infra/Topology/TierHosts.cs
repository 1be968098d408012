using EsDr.Infra.Renderers.Database;

namespace EsDr.Infra.Topology;

/// <summary>
/// A region's database server. The active region's is the primary, the others replicate from it.
/// <see cref="ServerId"/> is unique across the stack and stable for the region (its position in config), so a
/// failover that swaps roles never makes two servers share one.
/// </summary>
public sealed record DatabaseHost(MySqlRole Role, uint ServerId, string LogicalName, string Name, string? PrivateIp, string Size);

/// <summary>Application server <see cref="Ordinal"/> of a region's pool.</summary>
public sealed record ApplicationHost(int Ordinal, string LogicalName, string Name, string? PrivateIp, string Size);
