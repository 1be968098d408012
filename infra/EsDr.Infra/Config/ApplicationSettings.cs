using System.Text.Json.Nodes;

namespace EsDr.Infra.Config;

/// <summary>
/// The stack-level application settings (<c>es-dr:application</c>). <see cref="CloudConfig"/> is the user's
/// own cloud-config (a map of cloud-init keys) merged into the one the compiler renders for every
/// application server.
/// </summary>
public sealed record ApplicationSettings(
    int Port,
    string HealthPath,
    int PublicPort,
    IReadOnlyList<string> ClientCidrs,
    JsonObject? CloudConfig);

/// <summary>A region's application pool (<c>regions[i].application</c>).</summary>
public sealed record RegionApplication(int Nodes, string Size);
